/**
 * One ArgoCD sync of one Application, in gitops-engine's order
 * (argo-cd gitops-engine/pkg/sync/sync_context.go and sync_tasks.go):
 * phases PreSync → Sync → PostSync; inside a phase, waves in ascending order;
 * inside a wave, kinds in kindOrder, then names. Sync hooks run with the
 * plain resources of their wave. Before the next wave every object of the
 * current one must be healthy (hooks: Job complete); a failed hook or a
 * degraded resource fails the sync and stops later waves; SyncFail hooks then run.
 */
import type { Cluster } from './cluster.js';
import { SyncError } from './errors.js';
import { compareForSync, hookDeletePolicies, hookPhases, type KObject, ref, shortRef, wave } from './objects.js';

export interface SyncOptions {
  /** How long a wave may take to become healthy before the sync fails. */
  readonly healthTimeoutSeconds: number;
  readonly log: (line: string) => void;
}

interface Task {
  readonly object: KObject;
  readonly hook: boolean;
  readonly wave: number;
}

/**
 * gitops-engine moves a Namespace up to the wave of the first object in it
 * (syncTasks.adjustDeps), so a namespace is never created after its content.
 */
function adjustNamespaceWaves(tasks: Task[]): Task[] {
  const first = new Map<string, number>();
  for (const t of tasks) {
    const ns = t.object.metadata.namespace;
    if (ns !== undefined && t.object.kind !== 'Namespace') first.set(ns, Math.min(first.get(ns) ?? Infinity, t.wave));
  }
  return tasks.map((t) => {
    const w = t.object.kind === 'Namespace' ? first.get(t.object.metadata.name) : undefined;
    return w !== undefined && w < t.wave ? { ...t, wave: w } : t;
  });
}

function phaseTasks(objects: readonly KObject[], phase: 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail'): Task[] {
  const tasks: Task[] = [];
  for (const o of objects) {
    const phases = hookPhases(o);
    if (phases.includes('Skip')) continue;
    if (phases.length === 0 ? phase === 'Sync' : phases.includes(phase)) tasks.push({ object: o, hook: phases.length > 0, wave: wave(o) });
  }
  return adjustNamespaceWaves(tasks).sort(
    (a, b) =>
      a.wave - b.wave || compareForSync({ ...a.object, metadata: { ...a.object.metadata, annotations: {} } }, { ...b.object, metadata: { ...b.object.metadata, annotations: {} } }),
  );
}

async function waitHealthy(cluster: Cluster, tasks: readonly Task[], opts: SyncOptions, label: string): Promise<void> {
  const deadline = Date.now() + opts.healthTimeoutSeconds * 1000;
  for (;;) {
    let pending: { task: Task; message: string } | undefined;
    for (const t of tasks) {
      const h = cluster.health(t.object);
      if (h.status === 'Degraded') {
        throw h.error ?? new SyncError(`${shortRef(t.object)}: ${h.message}`, shortRef(t.object));
      }
      if (h.status !== 'Healthy' && pending === undefined) pending = { task: t, message: h.message };
    }
    if (!pending) return;
    if (Date.now() > deadline) {
      const pod = cluster.pods().find((p) => p.opts.owner === shortRef(pending!.task.object) && !p.ready);
      const tail = pod?.processes().slice(-1)[0]?.tail() ?? [];
      throw new SyncError(`${label}: ${shortRef(pending.task.object)} not healthy after ${opts.healthTimeoutSeconds}s: ${pending.message}`, shortRef(pending.task.object), tail);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function runPhase(cluster: Cluster, objects: readonly KObject[], phase: 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail', opts: SyncOptions): Promise<void> {
  const tasks = phaseTasks(objects, phase);
  const waves = [...new Set(tasks.map((t) => t.wave))];
  for (const w of waves) {
    const inWave = tasks.filter((t) => t.wave === w);
    for (const t of inWave) {
      if (t.hook) {
        const existing = cluster.get(t.object.kind, t.object.metadata.namespace, t.object.metadata.name);
        if (existing && hookDeletePolicies(t.object).includes('BeforeHookCreation')) await cluster.delete(existing);
        else if (existing) {
          // A named hook without BeforeHookCreation is created once and kept (gitops-engine doc.go).
          continue;
        }
      }
      await cluster.apply(t.object);
      opts.log(`${phase} wave ${w}: ${t.hook ? 'created hook' : 'applied'} ${ref(t.object)}`);
    }
    await waitHealthy(cluster, inWave, opts, `${phase} wave ${w}`);
    for (const t of inWave.filter((x) => x.hook && hookDeletePolicies(x.object).includes('HookSucceeded'))) {
      await cluster.delete(t.object);
    }
    opts.log(`${phase} wave ${w}: healthy`);
  }
}

/** Sync one Application's objects; throws SyncError naming what failed. */
export async function syncApplication(cluster: Cluster, objects: readonly KObject[], opts: SyncOptions): Promise<void> {
  try {
    for (const phase of ['PreSync', 'Sync', 'PostSync'] as const) await runPhase(cluster, objects, phase, opts);
  } catch (e) {
    if (phaseTasks(objects, 'SyncFail').length > 0) {
      await runPhase(cluster, objects, 'SyncFail', opts).catch(() => undefined);
    }
    throw e;
  }
}

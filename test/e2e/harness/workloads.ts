/**
 * The controllers that turn workloads into pods, and ArgoCD's health of each
 * (gitops-engine pkg/health: Deployment/StatefulSet healthy when every replica
 * of the current template is ready, Job healthy when complete, degraded when failed).
 */
import { createHash } from 'node:crypto';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { SyncError } from './errors.js';
import { type KObject, shortRef } from './objects.js';
import { Pod, type PodHost } from './pod.js';

export interface Health {
  readonly status: 'Healthy' | 'Progressing' | 'Degraded';
  readonly message: string;
  readonly error?: SyncError;
}

export interface Workload {
  readonly object: KObject;
  /** Apply a new version of the object; returns an API error message when the change is refused. */
  update(next: KObject): Promise<string | undefined>;
  health(): Health;
  pods(): readonly Pod[];
  delete(): Promise<void>;
}

interface TemplateSpec {
  template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec };
  replicas?: number;
}

function templateHash(o: KObject): string {
  return createHash('sha256')
    .update(JSON.stringify((o.spec as TemplateSpec).template))
    .digest('hex')
    .slice(0, 10);
}

function podFailure(pods: readonly Pod[]): SyncError | undefined {
  return pods.find((p) => p.fatal)?.fatal;
}

/**
 * Deployment. Stand-in: the harness's pods share one network namespace, so a
 * surge pod could not bind the port its predecessor holds; on a template change
 * the old pods stop before the new ones start (the rollout's end state is the same).
 */
class DeploymentController implements Workload {
  private current: Pod[] = [];
  private hash = '';
  constructor(
    private readonly host: PodHost,
    public object: KObject,
  ) {}

  async start(): Promise<void> {
    await this.update(this.object);
  }

  async update(next: KObject): Promise<string | undefined> {
    const hash = templateHash(next);
    const replicas = (next.spec as TemplateSpec).replicas ?? 1;
    this.object = next;
    if (hash === this.hash && this.current.length === replicas) return undefined;
    await Promise.all(this.current.map((p) => p.stop()));
    this.hash = hash;
    const spec = (next.spec as TemplateSpec).template.spec;
    this.current = Array.from(
      { length: replicas },
      (_, i) =>
        new Pod(this.host, {
          name: `${next.metadata.name}-${hash}-${i}`,
          namespace: next.metadata.namespace!,
          owner: shortRef(next),
          spec,
        }),
    );
    for (const p of this.current) p.start();
    return undefined;
  }

  health(): Health {
    const error = podFailure(this.current);
    if (error) return { status: 'Degraded', message: error.message, error };
    const notReady = this.current.find((p) => !p.ready);
    return notReady ? { status: 'Progressing', message: notReady.describe() } : { status: 'Healthy', message: 'all replicas ready' };
  }

  pods(): readonly Pod[] {
    return this.current;
  }

  async delete(): Promise<void> {
    await Promise.all(this.current.map((p) => p.stop()));
    this.current = [];
  }
}

/** StatefulSet: ordinal pods started in order (OrderedReady), one claim per volumeClaimTemplate and ordinal. */
class StatefulSetController implements Workload {
  private current: Pod[] = [];
  private hash = '';
  private rollout: Promise<void> = Promise.resolve();
  constructor(
    private readonly host: PodHost & { ensureClaim(ns: string, name: string): void },
    public object: KObject,
  ) {}

  async start(): Promise<void> {
    await this.update(this.object);
  }

  async update(next: KObject): Promise<string | undefined> {
    const hash = templateHash(next);
    const replicas = (next.spec as TemplateSpec).replicas ?? 1;
    const prev = this.object.spec as { volumeClaimTemplates?: unknown };
    if (this.hash !== '' && JSON.stringify(prev.volumeClaimTemplates) !== JSON.stringify((next.spec as { volumeClaimTemplates?: unknown }).volumeClaimTemplates)) {
      return `StatefulSet.apps "${next.metadata.name}" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden`;
    }
    this.object = next;
    if (hash === this.hash && this.current.length === replicas) return undefined;
    this.hash = hash;
    // Rolling update of a StatefulSet replaces pods from the highest ordinal down.
    for (const p of [...this.current].reverse()) await p.stop();
    const spec = next.spec as TemplateSpec & { serviceName?: string; volumeClaimTemplates?: { metadata: { name: string } }[] };
    const ns = next.metadata.namespace!;
    this.current = [];
    this.rollout = (async () => {
      for (let i = 0; i < replicas; i++) {
        const claims = (spec.volumeClaimTemplates ?? []).map((t) => `${t.metadata.name}-${next.metadata.name}-${i}`);
        for (const c of claims) this.host.ensureClaim(ns, c);
        const volumes = [
          ...(spec.template.spec.volumes ?? []),
          ...(spec.volumeClaimTemplates ?? []).map((t, k) => ({ name: t.metadata.name, persistentVolumeClaim: { claimName: claims[k]! } })),
        ];
        const pod = new Pod(this.host, {
          name: `${next.metadata.name}-${i}`,
          namespace: ns,
          owner: shortRef(next),
          spec: { ...spec.template.spec, volumes, hostname: `${next.metadata.name}-${i}` },
          subdomain: spec.serviceName,
        });
        this.current.push(pod);
        pod.start();
        while (!pod.ready && !pod.fatal && this.hash === hash) await new Promise((r) => setTimeout(r, 200));
        if (pod.fatal || this.hash !== hash) return;
      }
    })();
    return undefined;
  }

  health(): Health {
    const error = podFailure(this.current);
    if (error) return { status: 'Degraded', message: error.message, error };
    const replicas = (this.object.spec as TemplateSpec).replicas ?? 1;
    const notReady = this.current.find((p) => !p.ready);
    if (notReady) return { status: 'Progressing', message: notReady.describe() };
    if (this.current.length < replicas) return { status: 'Progressing', message: `${this.current.length} of ${replicas} replicas created` };
    return { status: 'Healthy', message: 'all replicas ready' };
  }

  pods(): readonly Pod[] {
    return this.current;
  }

  async delete(): Promise<void> {
    this.hash = 'deleted';
    for (const p of [...this.current].reverse()) await p.stop();
    this.current = [];
  }
}

/** Job: pods until one succeeds; `backoffLimit` failures fail it; `activeDeadlineSeconds` bounds it. */
class JobController implements Workload {
  private all: Pod[] = [];
  private state: 'Running' | 'Complete' | 'Failed' = 'Running';
  private failure: SyncError | undefined;
  private stopped = false;
  constructor(
    private readonly host: PodHost,
    public object: KObject,
  ) {}

  async start(): Promise<void> {
    const spec = this.object.spec as TemplateSpec & { backoffLimit?: number; activeDeadlineSeconds?: number };
    const limit = spec.backoffLimit ?? 6;
    const deadline = spec.activeDeadlineSeconds !== undefined ? Date.now() + spec.activeDeadlineSeconds * 1000 : Infinity;
    void (async () => {
      for (let attempt = 0; !this.stopped; attempt++) {
        const pod = new Pod(this.host, {
          name: `${this.object.metadata.name}-${attempt}`,
          namespace: this.object.metadata.namespace!,
          owner: shortRef(this.object),
          spec: spec.template.spec,
        });
        this.all.push(pod);
        pod.start();
        while (pod.phase !== 'Succeeded' && pod.phase !== 'Failed' && !this.stopped) {
          if (Date.now() > deadline) {
            await pod.stop();
            this.fail(new SyncError(`${shortRef(this.object)}: DeadlineExceeded: Job was active longer than specified deadline`, shortRef(this.object)));
            return;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
        if (this.stopped) return;
        if (pod.phase === 'Succeeded') {
          this.state = 'Complete';
          this.host.changed();
          return;
        }
        // A pod that cannot start (config, mount, image) never runs: the Job waits on a cluster; fail now.
        if (pod.fatal) {
          this.fail(pod.fatal);
          return;
        }
        const why = pod.termination ?? new SyncError(`${shortRef(this.object)}: pod failed`, shortRef(this.object));
        if (attempt >= limit) {
          this.fail(new SyncError(`${why.message} (BackoffLimitExceeded after ${attempt + 1} attempts)`, why.object, why.logTail));
          return;
        }
        // The Job controller backs off 10 s, 20 s, …; compressed to seconds here.
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 8000)));
      }
    })();
  }

  private fail(e: SyncError): void {
    this.state = 'Failed';
    this.failure = e;
    this.host.changed();
  }

  async update(next: KObject): Promise<string | undefined> {
    if (JSON.stringify((next.spec as TemplateSpec).template) !== JSON.stringify((this.object.spec as TemplateSpec).template)) {
      return `Job.batch "${next.metadata.name}" is invalid: spec.template: Invalid value: field is immutable`;
    }
    this.object = next;
    return undefined;
  }

  health(): Health {
    if (this.state === 'Complete') return { status: 'Healthy', message: 'Job complete' };
    if (this.state === 'Failed') return { status: 'Degraded', message: this.failure!.message, error: this.failure };
    const last = this.all[this.all.length - 1];
    return { status: 'Progressing', message: last ? last.describe() : 'no pod yet' };
  }

  get complete(): boolean {
    return this.state === 'Complete';
  }

  pods(): readonly Pod[] {
    return this.all;
  }

  async delete(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.all.map((p) => p.stop()));
  }
}

export type ClaimHost = PodHost & { ensureClaim(ns: string, name: string): void };

export async function startWorkload(host: ClaimHost, o: KObject): Promise<Workload | undefined> {
  switch (o.kind) {
    case 'Deployment': {
      const w = new DeploymentController(host, o);
      await w.start();
      return w;
    }
    case 'StatefulSet': {
      const w = new StatefulSetController(host, o);
      await w.start();
      return w;
    }
    case 'Job': {
      const w = new JobController(host, o);
      await w.start();
      return w;
    }
    default:
      return undefined;
  }
}

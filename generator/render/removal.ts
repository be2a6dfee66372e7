/**
 * Environments (and clusters) a plan removes from the config repo, and what
 * someone must do to delete their data on purpose. Derived from the plan
 * alone, so the CLI output, the commit message and the pull request body
 * say the same whichever path (local, --push, --pr) made the plan.
 */
import { parseAllDocuments } from 'yaml';
import { Layout } from '../repo/layout.js';
import type { Plan } from './plan.js';

export interface RemovedEnvironment {
  name: string;
  /** `envs/<name>/` */
  folder: string;
  /** The Namespace the environment's own objects live in, when it rendered one. */
  namespace?: string;
  /** Where it ran (from its parameters file): the commands are for that cluster. */
  cluster?: string;
  server?: string;
  /** Commands that delete what ArgoCD leaves behind, data included: run only on purpose. */
  cleanup: string[];
}

export interface Removal {
  environments: RemovedEnvironment[];
  /** `cluster-resources/<cluster>/` folders removed with the last environment on their cluster. */
  clusterFolders: string[];
  /** Their shared namespaces (kept by ArgoCD and marked Delete=false), as `kubectl` commands for whoever retires the cluster. */
  clusterCleanup: string[];
}

type Manifest = { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: { replicas?: number; volumeClaimTemplates?: { metadata?: { name?: string } }[] } };

/** An environment is removed when its parameters file goes: that is what ArgoCD's generator reads. */
export function removalOf(plan: Plan): Removal {
  const environments: RemovedEnvironment[] = [];
  const clusterFolders: string[] = [];
  const clusterCleanup: string[] = [];
  for (const c of plan.changes) {
    if (c.kind !== 'deleted') continue;
    const env = Layout.envOfParameters(c.path);
    if (env !== undefined) environments.push({ ...removedEnvironment(env, plan), ...whereItRan(c.before) });
    const cluster = Layout.clusterOfParameters(c.path);
    if (cluster !== undefined) {
      clusterFolders.push(`${Layout.clusterDir(cluster)}/`);
      const prefix = `${Layout.clusterManifests(cluster)}/`;
      const namespaces = plan.changes
        .filter((x) => x.kind === 'deleted' && x.path.startsWith(prefix))
        .flatMap((x) => parseManifests(x.before ?? ''))
        .filter((o) => o.kind === 'Namespace' && o.metadata?.name)
        .map((o) => o.metadata!.name!);
      if (namespaces.length > 0) clusterCleanup.push(`kubectl delete namespace ${namespaces.sort().join(' ')}   # cluster ${cluster}: only once nothing else uses it`);
    }
  }
  return { environments, clusterFolders, clusterCleanup };
}

function whereItRan(parameters: string | undefined): { cluster?: string; server?: string } {
  try {
    const p = JSON.parse(parameters ?? '') as { cluster?: unknown; destination?: { server?: unknown } };
    return {
      cluster: typeof p.cluster === 'string' ? p.cluster : undefined,
      server: typeof p.destination?.server === 'string' ? p.destination.server : undefined,
    };
  } catch {
    return { cluster: undefined, server: undefined };
  }
}

function removedEnvironment(name: string, plan: Plan): RemovedEnvironment {
  const prefix = `${Layout.envManifests(name)}/`;
  const objects: Manifest[] = plan.changes
    .filter((c) => c.kind === 'deleted' && c.path.startsWith(prefix) && c.path.endsWith('.yaml') && !c.path.endsWith('/kustomization.yaml'))
    .flatMap((c) => parseManifests(c.before ?? ''));
  const namespace = objects.find((o) => o.kind === 'Namespace')?.metadata?.name;
  // Deleting the environment's Namespace deletes everything in it; what lives elsewhere (the
  // databases in a shared namespace) is named object by object, then the volumes their
  // StatefulSets claimed, which Kubernetes keeps even when the StatefulSet goes.
  const elsewhere = new Map<string, string[]>();
  const claims = new Map<string, string[]>();
  for (const o of objects) {
    const ns = o.metadata?.namespace;
    const objName = o.metadata?.name;
    if (!o.kind || !objName || o.kind === 'Namespace' || !ns || ns === namespace) continue;
    elsewhere.set(ns, [...(elsewhere.get(ns) ?? []), `${o.kind.toLowerCase()}/${objName}`]);
    if (o.kind === 'StatefulSet') {
      for (const t of o.spec?.volumeClaimTemplates ?? []) {
        for (let i = 0; i < (o.spec?.replicas ?? 1); i++) if (t.metadata?.name) claims.set(ns, [...(claims.get(ns) ?? []), `${t.metadata.name}-${objName}-${i}`]);
      }
    }
  }
  const cleanup = [
    ...(namespace ? [`kubectl delete namespace ${namespace}`] : []),
    ...[...elsewhere].map(([ns, refs]) => `kubectl -n ${ns} delete ${refs.sort().join(' ')}`),
    ...[...claims].map(([ns, pvcs]) => `kubectl -n ${ns} delete pvc ${pvcs.sort().join(' ')}`),
  ];
  return { name, folder: `${Layout.envDir(name)}/`, namespace, cleanup };
}

function parseManifests(text: string): Manifest[] {
  try {
    return parseAllDocuments(text)
      .flatMap((d) => ('toJS' in d ? [d.toJS() as Manifest] : []))
      .filter((m) => m && typeof m === 'object');
  } catch {
    return [];
  }
}

/** What ArgoCD does when an environment's folder goes, said the same way everywhere. */
export const REMOVAL_NOTE =
  'ArgoCD deletes its Application but keeps every resource it deployed, databases and volumes included (the ApplicationSets set preserveResourcesOnDeletion); nothing is deleted from the cluster until someone does it on purpose';

/** Plan output lines (CLI) for a removal; none when nothing is removed. */
export function removalLines(plan: Plan): string[] {
  const r = removalOf(plan);
  if (r.environments.length === 0 && r.clusterFolders.length === 0) return [];
  const lines: string[] = [];
  for (const e of r.environments) lines.push(`  removes environment ${e.name}: ${e.folder}`);
  for (const f of r.clusterFolders) lines.push(`  removes ${f} (no environment left on that cluster)`);
  if (r.environments.length > 0) {
    lines.push(`  ${REMOVAL_NOTE}. To delete an environment's data on purpose, after the change is merged and ArgoCD has removed the Application:`);
    for (const e of r.environments) {
      lines.push(`    # ${e.name}${e.cluster ? ` (cluster ${e.cluster}${e.server ? `, ${e.server}` : ''})` : ''}`);
      for (const c of e.cleanup) lines.push(`    ${c}`);
    }
    for (const c of r.clusterCleanup) lines.push(`    ${c}`);
  }
  return lines;
}

/**
 * Kubernetes objects as the harness's API server keeps them, and the ordering
 * facts ArgoCD derives from them (phase, wave, kind order).
 */
import { parseAllDocuments } from 'yaml';

export interface KObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly [key: string]: unknown;
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PersistentVolume',
  'PriorityClass',
  'ClusterSecretStore',
]);

export function isNamespaced(kind: string): boolean {
  return !CLUSTER_SCOPED.has(kind);
}

/** `Kind/name` or `Kind/namespace/name`: how failures name an object. */
export function ref(o: KObject): string {
  return isNamespaced(o.kind) && o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/** `Kind/name` for messages inside one environment (the wording). */
export function shortRef(o: KObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

export function annotation(o: KObject, key: string): string | undefined {
  return o.metadata.annotations?.[key];
}

export type Phase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | 'Skip';

/** argocd.argoproj.io/hook (or Helm's hook annotation, which ArgoCD maps) decides a hook's phase; none means a plain resource. */
export function hookPhases(o: KObject): Phase[] {
  const value = annotation(o, 'argocd.argoproj.io/hook');
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as Phase[];
}

export function wave(o: KObject): number {
  const w = annotation(o, 'argocd.argoproj.io/sync-wave');
  if (w === undefined) return 0;
  const n = Number(w);
  if (!Number.isInteger(n)) throw new Error(`${ref(o)}: sync-wave "${w}" is not an integer`);
  return n;
}

/**
 * Hook deletion policies. Without an annotation ArgoCD uses BeforeHookCreation
 * (argo-cd docs "Resource Hooks": "If no deletion policy is specified, Argo CD
 * will automatically assume BeforeHookCreation").
 */
export function hookDeletePolicies(o: KObject): string[] {
  const value = annotation(o, 'argocd.argoproj.io/hook-delete-policy');
  return value === undefined ? ['BeforeHookCreation'] : value.split(',').map((s) => s.trim());
}

/**
 * The order gitops-engine applies kinds in within one wave
 * (gitops-engine pkg/sync/sync_tasks.go, kindOrder); unknown kinds go last.
 */
const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

export function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** gitops-engine's task order: phase, then wave, then kind, then name. */
export function compareForSync(a: KObject, b: KObject): number {
  return wave(a) - wave(b) || kindRank(a.kind) - kindRank(b.kind) || a.metadata.name.localeCompare(b.metadata.name);
}

export function parseManifests(text: string, source: string): KObject[] {
  const out: KObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as KObject | null;
    if (value === null) continue;
    if (typeof value.kind !== 'string' || typeof value.metadata?.name !== 'string') throw new Error(`${source}: an object without kind or metadata.name`);
    out.push(value);
  }
  return out;
}

/**
 * The parameter files ArgoCD's git files generator reads from the config repo:
 * `envs/<env>/argocd.json` (one Application per environment) and
 * `cluster-resources/<cluster>/argocd.json` (one per cluster with shared
 * namespaces). Validated against schemas/argocd-parameters.schema.json.
 */
import { SCHEMA_OPTIONS, schemaValidator } from '../schemas/validators.js';
import { sharedNamespaces } from '../charts/environment.js';
import type { EnvironmentSpec } from '../environment/types.js';

export interface EnvironmentParameters {
  environment: string;
  cluster: string;
  destination: { server: string; namespace: string };
  sync: 'automated' | 'manual';
}

export interface ClusterParameters {
  cluster: string;
  destination: { server: string; namespace: string };
}

/**
 * The Application's destination namespace is the shared namespace its
 * database lives in, when there is one, because the environment
 * ApplicationSets sync with CreateNamespace=true: on a new cluster the
 * environment's Application and the cluster-resources one appear at once and
 * nothing orders them, so whichever syncs first creates the namespace
 * (issue 13.9). ArgoCD creates it only when it is missing and does not track
 * it (argo-cd controller/sync_namespace.go), so no Application owns or prunes
 * it and FailOnSharedResource is not tripped; the cluster-resources
 * Application still manages its metadata. Every object names its namespace,
 * so the destination's only other effect is the Application's label.
 */
export function environmentParameters(spec: EnvironmentSpec): EnvironmentParameters {
  return {
    environment: spec.name,
    cluster: spec.cluster.name,
    destination: { server: spec.cluster.server, namespace: sharedNamespaces(spec)[0] ?? spec.namespace },
    sync: spec.sync,
  };
}

/** Namespaces shared by several environments on a cluster (what cluster-resources/<cluster>/manifests holds). */
export function clusterSharedNamespaces(all: EnvironmentSpec[], cluster: string): string[] {
  return [...new Set(all.filter((s) => s.cluster.name === cluster).flatMap(sharedNamespaces))].sort();
}

/**
 * Parameters of a cluster's shared-resources Application, or undefined when the
 * cluster has no shared namespace (then there is no folder to deploy). The
 * folder holds only cluster-scoped Namespaces; the destination namespace is the
 * first of them, so the destination is one the AppProject already allows.
 */
export function clusterParameters(all: EnvironmentSpec[], cluster: string): ClusterParameters | undefined {
  const specs = all.filter((s) => s.cluster.name === cluster);
  const [first] = clusterSharedNamespaces(all, cluster);
  if (!first || specs.length === 0) return undefined;
  const servers = [...new Set(specs.map((s) => s.cluster.server))];
  if (servers.length > 1) throw new Error(`cluster '${cluster}' has more than one server URL across environments: ${servers.join(', ')}`);
  return { cluster, destination: { server: servers[0]!, namespace: first } };
}

/** ajv options for schemas/argocd-parameters.schema.json (its meta-schema check runs in test/schemas.test.ts). */
export const PARAMETERS_SCHEMA_OPTIONS = SCHEMA_OPTIONS['argocd-parameters.schema.json'];

/** ajv errors of a parameters object against schemas/argocd-parameters.schema.json; [] when valid. */
export function parameterErrors(value: unknown): string[] {
  const validator = schemaValidator('argocd-parameters.schema.json');
  if (validator(value)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** JSON with 2-space indent and a trailing newline, after schema validation. */
export function parametersFile(path: string, value: EnvironmentParameters | ClusterParameters): string {
  const errors = parameterErrors(value);
  if (errors.length > 0) throw new Error(`${path} does not match schemas/argocd-parameters.schema.json: ${errors.join('; ')}`);
  return `${JSON.stringify(value, null, 2)}\n`;
}

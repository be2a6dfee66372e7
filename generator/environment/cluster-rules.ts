/**
 * Rules across environment files: what two environments on one cluster must
 * not share, and objects two settings would render under one name. Kept apart
 * from validate.ts (per-file rules) to keep both readable; it takes `where`
 * (validate.ts's locate) as a parameter so that neither imports the other.
 */
import type { InputProblem, SourceLocation } from '../errors.js';
import type { LoadedEnvironment } from './load.js';
import { upgradedStatefulSet } from './postgres-upgrade.js';
import type { EnvironmentFile } from './types.js';

type Where = (env: LoadedEnvironment, pointer: string) => SourceLocation;
const at = (l: SourceLocation) => `${l.file}:${l.line}:${l.col}`;
const fieldOf = (pointer: string) => pointer.slice(1).replace(/\//g, '.');

/**
 * Namespaces an environment must never take: Kubernetes' own, and ArgoCD's
 * (its Applications and secrets live there). An environment's namespace is
 * created and pruned with its Application; the cluster's must never be.
 */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default', 'argocd'];

/**
 * A cluster is its API server, whatever short name an environment file gives
 * it: https://host, https://HOST:443/ and https://host/ are one server.
 */
export function serverKey(server: string): string {
  try {
    const u = new URL(server);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return server;
  }
}

/** One object an environment renders (or, for Secrets, makes its controller render), and the setting naming it. */
export interface ObjectIdentity {
  kind: string;
  namespace: string;
  name: string;
  pointer: string;
}

/**
 * Every namespaced object an environment renders, named as resolve.ts and the
 * charts name them (a test renders the shipped environments and compares).
 * SealedSecrets and ExternalSecrets count as the Secret they produce.
 */
export function renderedObjects(v: EnvironmentFile): ObjectIdentity[] {
  const out: ObjectIdentity[] = [];
  const add = (kind: string, namespace: string, name: string, pointer: string) => out.push({ kind, namespace, name, pointer });
  add('Deployment', v.namespace, 'mlflow', '/namespace');
  add('Service', v.namespace, 'mlflow', '/namespace');
  add('ConfigMap', v.namespace, `mlflow-config-${v.name}`, '/name');
  add('Secret', v.namespace, `mlflow-secrets-${v.name}`, '/name');
  add('Job', v.namespace, `mlflow-${v.name}-db-upgrade`, '/name');
  add('Job', v.namespace, `mlflow-${v.name}-bucket-setup`, '/name');
  const pg = v.postgres;
  if (pg.mode === 'embedded' && pg.name && pg.namespace) {
    for (const [kind, name] of [
      ['Service', pg.name],
      ['Service', `${pg.name}-headless`],
      ['StatefulSet', pg.name],
      ['Secret', `${pg.name}-credentials`],
      ['ConfigMap', `${pg.name}-init`],
    ] as const) {
      add(kind, pg.namespace, name, '/postgres/name');
    }
    const upgraded = upgradedStatefulSet(pg.name, pg.image?.tag, pg.majorUpgrade);
    if (upgraded) add('StatefulSet', pg.namespace, upgraded, '/postgres/majorUpgrade');
  }
  const mo = v.minio;
  if (mo.mode === 'embedded' && mo.name && mo.namespace) {
    for (const [kind, name] of [
      ['Service', mo.name],
      ['Service', `${mo.name}-headless`],
      ['StatefulSet', mo.name],
      ['Secret', `${mo.name}-credentials`],
    ] as const) {
      add(kind, mo.namespace, name, '/minio/name');
    }
  }
  return out;
}

/** Namespaces an environment's databases live in, outside its own (shared by the cluster's environments). */
function sharedNamespaces(v: EnvironmentFile): { namespace: string; pointer: string }[] {
  const out: { namespace: string; pointer: string }[] = [];
  if (v.postgres.mode === 'embedded' && v.postgres.namespace) out.push({ namespace: v.postgres.namespace, pointer: '/postgres/namespace' });
  if (v.minio.mode === 'embedded' && v.minio.namespace) out.push({ namespace: v.minio.namespace, pointer: '/minio/namespace' });
  return out.filter((s) => s.namespace !== v.namespace);
}

/** Two environments on one cluster (one API server) must not collide on cluster-wide names, nor one environment with itself. */
export function crossFileProblems(valid: { env: LoadedEnvironment; value: EnvironmentFile }[], where: Where): InputProblem[] {
  const problems: InputProblem[] = [];
  // One problem per pair of settings, however many objects they both name.
  const told = new Set<string>();
  const tell = (env: LoadedEnvironment, pointer: string, message: string, hint: string, pair = '') => {
    const key = `${env.name}|${pointer}|${pair}`;
    if (told.has(key)) return;
    told.add(key);
    problems.push({ location: where(env, pointer), field: fieldOf(pointer), message, hint });
  };
  const claims = new Map<string, { env: LoadedEnvironment; pointer: string }>();
  const claim = (env: LoadedEnvironment, key: string, pointer: string, what: string, hint: string) => {
    const prior = claims.get(key);
    if (!prior) {
      claims.set(key, { env, pointer });
      return;
    }
    const p = where(prior.env, prior.pointer);
    tell(env, pointer, `${what} is also used by environment '${prior.env.name}' (${at(p)}) on the same cluster`, hint, `${prior.env.name}|${prior.pointer}`);
  };

  const servers = new Map<string, { env: LoadedEnvironment; server: string }>();
  const names = new Map<string, { env: LoadedEnvironment; name: string }>();
  // Namespaces holding some environment's databases, per cluster: never an environment's own.
  const shared = new Map<string, { env: LoadedEnvironment; pointer: string }>();
  for (const { env, value: v } of valid) {
    const c = serverKey(v.cluster.server);
    for (const s of sharedNamespaces(v)) if (!shared.has(`${c}/${s.namespace}`)) shared.set(`${c}/${s.namespace}`, { env, pointer: s.pointer });
  }
  for (const { env, value: v } of valid) {
    const c = serverKey(v.cluster.server);
    // ArgoCD destinations and the shared cluster folder are keyed by cluster name, the clash checks by
    // API server: one name, one server, and one server, one name.
    const known = servers.get(v.cluster.name);
    if (!known) servers.set(v.cluster.name, { env, server: c });
    else if (known.server !== c) {
      const p = where(known.env, '/cluster/server');
      tell(
        env,
        '/cluster/server',
        `cluster '${v.cluster.name}' is ${known.server} in environment '${known.env.name}' (${at(p)}) but ${v.cluster.server} here`,
        'give the other cluster its own cluster.name, or use the same server URL',
      );
    }
    const named = names.get(c);
    if (!named) names.set(c, { env, name: v.cluster.name });
    else if (named.name !== v.cluster.name) {
      const p = where(named.env, '/cluster/name');
      tell(
        env,
        '/cluster/name',
        `'${v.cluster.name}' names the API server ${v.cluster.server}, which environment '${named.env.name}' (${at(p)}) calls '${named.name}'`,
        `one cluster, one name: set cluster.name: ${named.name}`,
      );
    }

    if (SYSTEM_NAMESPACES.includes(v.namespace)) {
      tell(
        env,
        '/namespace',
        `'${v.namespace}' is a system namespace (Kubernetes' or ArgoCD's): an environment's namespace is created and pruned with its Application`,
        `use a namespace of its own, e.g. mlflow-${v.name}`,
      );
    }
    for (const s of sharedNamespaces(v)) {
      if (SYSTEM_NAMESPACES.includes(s.namespace))
        tell(env, s.pointer, `'${s.namespace}' is a system namespace (Kubernetes' or ArgoCD's)`, 'put the databases in a namespace of their own, e.g. pgsql');
    }
    const db = shared.get(`${c}/${v.namespace}`);
    if (db) {
      const p = where(db.env, db.pointer);
      tell(
        env,
        '/namespace',
        `'${v.namespace}' holds the databases of environment '${db.env.name}' (${fieldOf(db.pointer)}, ${at(p)}): as an environment's namespace it would be pruned with this environment's Application`,
        `use a namespace of its own, e.g. mlflow-${v.name}`,
      );
    }

    claim(env, `${c}/nodePort/${v.mlflow.nodePort}`, '/mlflow/nodePort', `NodePort ${v.mlflow.nodePort}`, 'give each environment on a cluster its own NodePort');
    claim(env, `${c}/ns/${v.namespace}`, '/namespace', `namespace '${v.namespace}'`, 'give each environment its own MLflow namespace');
    if (v.postgres.mode === 'embedded') {
      claim(
        env,
        `${c}/obj/${v.postgres.namespace}/${v.postgres.name}`,
        '/postgres/name',
        `PostgreSQL ${v.postgres.namespace}/${v.postgres.name}`,
        'give each environment its own database name',
      );
      const statefulSet = upgradedStatefulSet(v.postgres.name!, v.postgres.image?.tag, v.postgres.majorUpgrade);
      if (statefulSet) {
        claim(
          env,
          `${c}/obj/${v.postgres.namespace}/${statefulSet}`,
          '/postgres/majorUpgrade',
          `the upgraded PostgreSQL StatefulSet ${v.postgres.namespace}/${statefulSet}`,
          'give each environment its own database name',
        );
      }
    }
    if (v.minio.mode === 'embedded') {
      claim(env, `${c}/obj/${v.minio.namespace}/${v.minio.name}`, '/minio/name', `MinIO ${v.minio.namespace}/${v.minio.name}`, 'give each environment its own MinIO name');
    }
  }
  objectClashes(valid, where, tell);
  return problems;
}

/**
 * Objects two settings would render under one kind/namespace/name, in one
 * environment or two on the same cluster: one would overwrite the other, or
 * two Applications would own it. Each pair of settings is told once.
 */
function objectClashes(
  valid: { env: LoadedEnvironment; value: EnvironmentFile }[],
  where: Where,
  tell: (env: LoadedEnvironment, pointer: string, message: string, hint: string, pair?: string) => void,
): void {
  const owners = new Map<string, { env: LoadedEnvironment; pointer: string }>();
  for (const { env, value: v } of valid) {
    const c = serverKey(v.cluster.server);
    for (const o of renderedObjects(v)) {
      const key = `${c}/${o.kind}/${o.namespace}/${o.name}`;
      const prior = owners.get(key);
      if (!prior) {
        owners.set(key, { env, pointer: o.pointer });
        continue;
      }
      if (prior.env === env && prior.pointer === o.pointer) continue;
      const p = where(prior.env, prior.pointer);
      const by = prior.env === env ? `by ${fieldOf(prior.pointer)} (${at(p)}) too` : `by environment '${prior.env.name}' too (${fieldOf(prior.pointer)}, ${at(p)})`;
      tell(
        env,
        o.pointer,
        `renders ${o.kind} ${o.namespace}/${o.name}, which is rendered ${by}`,
        'rename one of them: each object must have one owner',
        `${prior.env.name}|${prior.pointer}`,
      );
    }
  }
}

/**
 * Schema validation of emitted Kubernetes manifests.
 *
 * Every object is validated against the OpenAPI / CRD schema of the exact
 * `apiVersion` + `kind` it declares, using the precompiled (ajv standalone)
 * validators shipped by `kubernetes-models` and the `@kubernetes-models/*`
 * CRD packages. Validation is triggered the same way the packages do it:
 * `new Model(data).validate()`, which calls `runValidateFunc` from
 * `@kubernetes-models/validate` and throws an ajv `ValidationError` whose
 * `errors` have been localized (English messages) in place.
 *
 * Performance: each model class lives in its own module
 * (e.g. `kubernetes-models/apps/v1/Deployment`), which only pulls in the
 * `_schemas/*` validators it needs. A module is imported the first time its
 * apiVersion/kind is seen and the class is cached; the package index modules
 * (which would load every schema) are never imported.
 *
 * Notes on the schemas themselves (kubernetes-models 5.1.0):
 * - Unknown fields are NOT rejected (no `additionalProperties: false` in any
 *   of the generated validators), so a typo such as `spec.replica` passes.
 * - Most optional fields also accept `null`.
 * - IntOrString is `oneOf: [string, int32]`; a wrong value yields three
 *   errors ("must be string", "must be integer", "must match exactly one
 *   schema in oneOf").
 * - No defaulting is applied: fields that the API server would default but
 *   which are `required` in the schema (e.g. Password.spec.allowRepeat,
 *   noUpper, length) must be present.
 */

/** Module specifier prefix for each supported apiVersion, plus its kinds. */
interface GroupVersionEntry {
  /** Import specifier prefix; the class module is `${prefix}/${kind}`. */
  readonly prefix: string;
  /** Top-level (non-List) kinds exported under that prefix. */
  readonly kinds: readonly string[];
}

const GROUP_VERSIONS: Readonly<Record<string, GroupVersionEntry>> = {
  v1: {
    prefix: 'kubernetes-models/v1',
    kinds: [
      'Binding',
      'ComponentStatus',
      'ConfigMap',
      'Endpoints',
      'Event',
      'LimitRange',
      'Namespace',
      'Node',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'Pod',
      'PodTemplate',
      'ReplicationController',
      'ResourceQuota',
      'Secret',
      'Service',
      'ServiceAccount',
    ],
  },
  'apps/v1': {
    prefix: 'kubernetes-models/apps/v1',
    kinds: ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  },
  'batch/v1': {
    prefix: 'kubernetes-models/batch/v1',
    kinds: ['CronJob', 'Job'],
  },
  'policy/v1': {
    prefix: 'kubernetes-models/policy/v1',
    kinds: ['Eviction', 'PodDisruptionBudget'],
  },
  'rbac.authorization.k8s.io/v1': {
    prefix: 'kubernetes-models/rbac.authorization.k8s.io/v1',
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  },
  'networking.k8s.io/v1': {
    prefix: 'kubernetes-models/networking.k8s.io/v1',
    kinds: ['IPAddress', 'Ingress', 'IngressClass', 'NetworkPolicy', 'ServiceCIDR'],
  },
  'argoproj.io/v1alpha1': {
    prefix: '@kubernetes-models/argo-cd/argoproj.io/v1alpha1',
    kinds: ['AppProject', 'Application', 'ApplicationSet'],
  },
  'bitnami.com/v1alpha1': {
    prefix: '@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1',
    kinds: ['SealedSecret'],
  },
  'external-secrets.io/v1': {
    prefix: '@kubernetes-models/external-secrets/external-secrets.io/v1',
    kinds: ['ClusterExternalSecret', 'ClusterSecretStore', 'ExternalSecret', 'SecretStore'],
  },
  'generators.external-secrets.io/v1alpha1': {
    prefix: '@kubernetes-models/external-secrets/generators.external-secrets.io/v1alpha1',
    kinds: [
      'ACRAccessToken',
      'ClusterGenerator',
      'ECRAuthorizationToken',
      'Fake',
      'GCRAccessToken',
      'GeneratorState',
      'GithubAccessToken',
      'Grafana',
      'Password',
      'QuayAccessToken',
      'STSSessionToken',
      'UUID',
      'VaultDynamicSecret',
      'Webhook',
    ],
  },
};

/** What we need from a kubernetes-models model class. */
interface ModelInstance {
  validate(): void;
}
interface ModelClass {
  new (data?: unknown): ModelInstance;
  readonly apiVersion: string;
  readonly kind: string;
}

/** Shape of the ajv errors thrown by `runValidateFunc` (after localization). */
interface AjvLikeError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Resolved classes, for the synchronous fast path. */
const loaded = new Map<string, ModelClass>();
/** In-flight / settled imports, so concurrent first uses share one import. */
const loading = new Map<string, Promise<ModelClass>>();

function keyOf(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

function lookup(apiVersion: string, kind: string): GroupVersionEntry | undefined {
  const gv = Object.hasOwn(GROUP_VERSIONS, apiVersion) ? GROUP_VERSIONS[apiVersion] : undefined;
  return gv !== undefined && gv.kinds.includes(kind) ? gv : undefined;
}

async function importModel(apiVersion: string, kind: string, gv: GroupVersionEntry): Promise<ModelClass> {
  const specifier = `${gv.prefix}/${kind}`;
  const mod = (await import(specifier)) as Record<string, unknown>;
  const ctor = mod[kind] as ModelClass | undefined;
  if (typeof ctor !== 'function') {
    throw new Error(`module ${specifier} does not export a class ${kind}`);
  }
  // Guard against the table pointing at the wrong version/kind.
  if (ctor.apiVersion !== apiVersion || ctor.kind !== kind) {
    throw new Error(`module ${specifier} models ${ctor.apiVersion}/${ctor.kind}, expected ${apiVersion}/${kind}`);
  }
  return ctor;
}

async function loadModel(apiVersion: string, kind: string, gv: GroupVersionEntry): Promise<ModelClass> {
  const key = keyOf(apiVersion, kind);
  const hit = loaded.get(key);
  if (hit !== undefined) return hit;
  let pending = loading.get(key);
  if (pending === undefined) {
    pending = importModel(apiVersion, kind, gv).then(
      (ctor) => {
        loaded.set(key, ctor);
        return ctor;
      },
      (err: unknown) => {
        loading.delete(key); // allow a retry
        throw err;
      },
    );
    loading.set(key, pending);
  }
  return pending;
}

/** `apiVersion/kind` pairs this module can validate, sorted. */
export function knownKinds(): string[] {
  const out: string[] = [];
  for (const [apiVersion, gv] of Object.entries(GROUP_VERSIONS)) {
    for (const kind of gv.kinds) out.push(keyOf(apiVersion, kind));
  }
  return out.sort();
}

/** Number of model modules imported so far (for cache tests / diagnostics). */
export function loadedModuleCount(): number {
  return loaded.size;
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownSchemaError(apiVersion: string, kind: string): string {
  const gv = Object.hasOwn(GROUP_VERSIONS, apiVersion) ? GROUP_VERSIONS[apiVersion] : undefined;
  if (gv !== undefined) {
    return `no schema is known for apiVersion "${apiVersion}" kind "${kind}" (known kinds for ${apiVersion}: ${gv.kinds.join(', ')})`;
  }
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const sameGroup = Object.keys(GROUP_VERSIONS).filter((av) => (group === '' ? !av.includes('/') : av.startsWith(`${group}/`)));
  const hint = sameGroup.length > 0 ? ` (schemas are only available for ${sameGroup.join(', ')})` : '';
  return `no schema is known for apiVersion "${apiVersion}" kind "${kind}"${hint}`;
}

function formatErrors(errors: readonly AjvLikeError[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // Same format as @kubernetes-models/validate's generateErrorMessage().
    const line = `data${e.instancePath ?? ''} ${e.message ?? e.keyword ?? 'is invalid'}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}

function metadataNameErrors(obj: Record<string, unknown>): string[] {
  const metadata = obj['metadata'];
  if (metadata === undefined || metadata === null) {
    return ['data must have required property metadata'];
  }
  if (!isPlainRecord(metadata)) return []; // the schema reports the type error
  const name = metadata['name'];
  if (name === undefined || name === null) {
    return ['data/metadata must have required property name'];
  }
  if (typeof name === 'string' && name.length === 0) {
    return ['data/metadata/name must not be empty'];
  }
  return []; // non-string names are reported by the schema ("must be string")
}

/**
 * Validate one manifest against the schema of the apiVersion/kind it
 * declares. Returns `[]` when valid, otherwise messages formatted like
 * kubernetes-models' own: `data<instancePath> <message>`.
 */
export async function schemaErrors(obj: Record<string, unknown>): Promise<string[]> {
  if (!isPlainRecord(obj)) return ['data must be object'];
  const apiVersion = obj['apiVersion'];
  const kind = obj['kind'];
  const head: string[] = [];
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    head.push('data must have required property apiVersion (a non-empty string)');
  }
  if (typeof kind !== 'string' || kind === '') {
    head.push('data must have required property kind (a non-empty string)');
  }
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || head.length > 0) {
    return [...head, ...metadataNameErrors(obj)];
  }

  const gv = lookup(apiVersion, kind);
  if (gv === undefined) return [unknownSchemaError(apiVersion, kind)];

  const key = keyOf(apiVersion, kind);
  const Ctor = loaded.get(key) ?? (await loadModel(apiVersion, kind, gv));

  const errors: string[] = [];
  try {
    new Ctor(obj).validate();
  } catch (err) {
    const list = (err as { errors?: unknown }).errors;
    if (Array.isArray(list) && list.length > 0) {
      errors.push(...formatErrors(list as AjvLikeError[]));
    } else {
      errors.push(`data validation failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  for (const e of metadataNameErrors(obj)) {
    if (!errors.includes(e)) errors.push(e);
  }
  return errors;
}

/**
 * Validate many manifests; returns only the failing items, in input order.
 * Model modules for all kinds present are imported up front, in parallel.
 */
export async function checkManifests(items: { path: string; object: Record<string, unknown> }[]): Promise<{ path: string; errors: string[] }[]> {
  const preload = new Map<string, Promise<unknown>>();
  for (const { object } of items) {
    if (!isPlainRecord(object)) continue;
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') continue;
    const key = keyOf(apiVersion, kind);
    if (loaded.has(key) || preload.has(key)) continue;
    const gv = lookup(apiVersion, kind);
    if (gv !== undefined) preload.set(key, loadModel(apiVersion, kind, gv));
  }
  await Promise.all(preload.values());

  const failures: { path: string; errors: string[] }[] = [];
  for (const { path, object } of items) {
    const errors = await schemaErrors(object);
    if (errors.length > 0) failures.push({ path, errors });
  }
  return failures;
}

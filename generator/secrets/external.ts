/**
 * `external-secrets` provider: the External Secrets Operator builds each
 * Secret from a (Cluster)SecretStore; Git holds only references.
 *
 * Remote keys: `<remoteKeyPrefix><credential>` (prefix defaults to
 * `mlflow/<env>/`), one remote secret per credential holding the bare value:
 *   postgres-password, minio-root-user, minio-root-password,
 *   mlflow-admin-password, flask-secret-key.
 * A credential that several Secrets carry (PostgreSQL's password in MLflow's
 * Secret and in PostgreSQL's own; the MinIO root credentials as MLflow's S3
 * keys) is read from the same remote key by each, so they always agree.
 *
 * `generatePasswords: true`: values that exactly one Secret carries and that
 * no external server needs to know (the MLflow admin password and Flask
 * secret key) come from External Secrets' Password generator instead of the
 * store. Each generator invocation yields a new value, and ESO regenerates on
 * every refresh, so:
 *   - shared credentials never use a generator (two ExternalSecrets would get
 *     two different passwords);
 *   - the generated keys are written by their own ExternalSecret
 *     (`<secret>-generated`) with refreshPolicy CreatedOnce, refreshInterval 0
 *     and creationPolicy Orphan: it syncs once per ExternalSecret object and
 *     never again (ESO treats an Orphan target as always valid), so the admin
 *     password MLflow stored at first start is never rotated under it;
 *   - the store-backed keys of that same Secret are then merged in by the main
 *     ExternalSecret with creationPolicy Merge (ESO clears the whole Secret on
 *     every refresh under Owner/Orphan, which would drop the generated keys;
 *     Merge replaces only its own keys), refreshing on refreshInterval.
 *     A Merge ExternalSecret that runs before its Secret exists waits a whole
 *     refreshInterval, so it goes one ArgoCD sync wave later (the database
 *     wave; MLflow reads its Secret two waves after that): ArgoCD applies it
 *     once the generated ExternalSecret reports Ready.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { Wave, WAVE_ANNOTATION } from '../charts/labels.js';
import { InputError } from '../errors.js';
import { GENERATED_LENGTH, carriersOf, credentialServer, credentialSlug, type CredentialId, type SecretEntry, type SecretSpec } from './credentials.js';
import type { SecretProvider, SecretRenderContext } from './provider.js';

export const EXTERNAL_SECRETS_API = 'external-secrets.io/v1';
export const GENERATORS_API = 'generators.external-secrets.io/v1alpha1';

/** The remote key holding a credential, e.g. `mlflow/stg/postgres-password`. */
export function remoteKey(prefix: string, id: CredentialId): string {
  return `${prefix}${credentialSlug(id)}`;
}

/** Whether `id` may come from a Password generator in this environment (see the file comment). */
export function generatable(ctx: Pick<SecretRenderContext, 'spec'>, id: CredentialId): boolean {
  const ext = ctx.spec.secrets.external;
  if (!ext?.generatePasswords) return false;
  if (id !== 'mlflowAdminPassword' && id !== 'flaskSecretKey') return false;
  const server = credentialServer(ctx.spec, id);
  return carriersOf(ctx.spec, id).length === 1 && !server?.external;
}

/** Password generator spec: alphanumeric only (values go into INI files and URIs unescaped). */
function passwordSpec(id: CredentialId): Record<string, unknown> {
  const length = GENERATED_LENGTH[id];
  return { length, digits: Math.floor(length / 4), symbols: 0, noUpper: false, allowRepeat: true };
}

export function generatorName(secret: SecretSpec, e: SecretEntry): string {
  return `${secret.name}-${credentialSlug(e.credential)}`;
}

export const externalSecretsProvider: SecretProvider = {
  name: 'external-secrets',
  emit(scope: Construct, secret: SecretSpec, ctx: SecretRenderContext): void {
    const ext = ctx.spec.secrets.external;
    if (!ext) {
      throw new InputError([
        {
          field: 'secrets.externalSecrets',
          message: `environment '${ctx.spec.name}' uses the external-secrets provider but has no externalSecrets settings`,
          hint: 'set secrets.externalSecrets.storeRef.name to the (Cluster)SecretStore holding the values',
        },
      ]);
    }
    const labels = ctx.labels(secret);
    const generated = secret.entries.filter((e) => generatable(ctx, e.credential));
    const remote = secret.entries.filter((e) => !generatable(ctx, e.credential));

    if (remote.length > 0) {
      new ApiObject(scope, `${secret.namespace}-${secret.name}-externalsecret`, {
        apiVersion: EXTERNAL_SECRETS_API,
        kind: 'ExternalSecret',
        metadata: {
          name: secret.name,
          namespace: secret.namespace,
          labels,
          annotations: generated.length > 0 ? { ...ctx.annotations, [WAVE_ANNOTATION]: String(Wave.database) } : ctx.annotations,
        },
        spec: {
          secretStoreRef: { name: ext.storeRef.name, kind: ext.storeRef.kind },
          refreshInterval: ext.refreshInterval,
          target: { name: secret.name, creationPolicy: generated.length > 0 ? 'Merge' : 'Owner' },
          data: remote.map((e) => ({ secretKey: e.key, remoteRef: { key: remoteKey(ext.remoteKeyPrefix, e.credential) } })),
        },
      });
    }
    if (generated.length > 0) {
      for (const e of generated) {
        new ApiObject(scope, `${secret.namespace}-${generatorName(secret, e)}-password`, {
          apiVersion: GENERATORS_API,
          kind: 'Password',
          metadata: { name: generatorName(secret, e), namespace: secret.namespace, labels, annotations: ctx.annotations },
          spec: passwordSpec(e.credential),
        });
      }
      new ApiObject(scope, `${secret.namespace}-${secret.name}-generated-externalsecret`, {
        apiVersion: EXTERNAL_SECRETS_API,
        kind: 'ExternalSecret',
        metadata: { name: `${secret.name}-generated`, namespace: secret.namespace, labels, annotations: ctx.annotations },
        spec: {
          // Sync once, never again: a regenerated admin password would no longer match MLflow's auth database.
          refreshPolicy: 'CreatedOnce',
          refreshInterval: '0',
          target: { name: secret.name, creationPolicy: 'Orphan' },
          dataFrom: generated.map((e) => ({
            sourceRef: { generatorRef: { apiVersion: GENERATORS_API, kind: 'Password', name: generatorName(secret, e) } },
            rewrite: [{ regexp: { source: '^password$', target: e.key } }],
          })),
        },
      });
    }
  },
};

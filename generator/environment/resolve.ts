import { resolve as resolvePath } from 'node:path';
import { resolveMlflowSettings } from '../components/mlflow/settings.js';
import { resolveObjectStoreSettings } from '../components/object-store/settings.js';
import { resolvePostgresSettings } from '../components/postgres/settings.js';
import type { EnvironmentFile, EnvironmentSpec } from './types.js';
import { isProduction, type ValidEnvironment } from './validate.js';

// Moved to the components (see generator/components/); re-exported for existing importers.
export { MLFLOW_PORT } from '../components/mlflow/settings.js';
export { postgresMajor } from '../components/postgres/settings.js';
export { resolveImage } from '../components/settings.js';

export const PART_OF = 'mlflow-platform';

/**
 * The environment core (name, namespace, cluster, sync, secrets) is resolved
 * here; each component's settings by its folder's settings.ts. The call per
 * component is written out rather than looped over the registry: the spec is
 * a typed record, and its key order is part of the render-cache key (a hash
 * of the spec), so a generic merge would need a cast and would reorder keys.
 */
export function resolveEnvironment(env: ValidEnvironment): EnvironmentSpec {
  const v: EnvironmentFile = env.value;
  // In the order they always were (database, object store, MLflow), should one of them throw.
  const postgres = resolvePostgresSettings(env);
  const minio = resolveObjectStoreSettings(env);
  const mlflow = resolveMlflowSettings(env);
  const sealed = v.secrets.sealedSecrets;
  const external = v.secrets.externalSecrets;
  return {
    name: v.name,
    production: isProduction(v),
    namespace: v.namespace,
    cluster: { ...v.cluster },
    sync: v.argocd.sync,
    allowPlaintextSecrets: v.allowPlaintextSecrets === true,
    partOf: PART_OF,
    configMapName: `mlflow-config-${v.name}`,
    secrets: {
      provider: v.secrets.provider,
      secretName: `mlflow-secrets-${v.name}`,
      rotation: v.secrets.rotation ?? 0,
      sealed: sealed ? { certificate: resolvePath(env.dir, sealed.certificate), scope: sealed.scope ?? 'strict' } : undefined,
      external: external
        ? {
            storeRef: { name: external.storeRef.name, kind: external.storeRef.kind ?? 'SecretStore' },
            remoteKeyPrefix: external.remoteKeyPrefix ?? `mlflow/${v.name}/`,
            refreshInterval: external.refreshInterval ?? '1h',
            generatePasswords: external.generatePasswords === true,
          }
        : undefined,
    },
    mlflow,
    postgres,
    minio,
  };
}

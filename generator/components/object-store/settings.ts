import type { EnvironmentSpec } from '../../environment/types.js';
import type { ValidEnvironment } from '../../environment/validate.js';
import { resolveImage, resolveResources } from '../settings.js';

/** The `minio` settings (the S3 object store MLflow keeps artifacts in), resolved. */
export function resolveObjectStoreSettings(env: ValidEnvironment): EnvironmentSpec['minio'] {
  const mo = env.value.minio;
  const port = mo.port ?? 9000;
  const embedded =
    mo.mode === 'embedded'
      ? {
          name: mo.name!,
          namespace: mo.namespace!,
          port,
          image: resolveImage(mo.image!),
          storage: mo.storage!,
          resources: resolveResources(mo.resources),
          runAsUser: mo.runAsUser ?? 1000,
          credentialsSecret: `${mo.name!}-credentials`,
        }
      : undefined;
  return {
    mode: mo.mode,
    endpoint: embedded ? `http://${embedded.name}.${embedded.namespace}.svc.cluster.local:${port}` : mo.endpoint!.replace(/\/$/, ''),
    bucket: mo.bucket,
    region: mo.region ?? 'us-east-1',
    embedded,
  };
}

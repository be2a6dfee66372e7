import { resolve as resolvePath } from 'node:path';
import type { EnvironmentFile, EnvironmentSpec, Image, ImageFields, ResourceFields, Resources } from './types.js';
import { isProduction, type ValidEnvironment } from './validate.js';

/** The port MLflow listens on inside the pod; only the NodePort varies. */
export const MLFLOW_PORT = 5000;
export const PART_OF = 'mlflow-platform';

export function resolveImage(f: ImageFields): Image {
  const ref = `${f.repository}${f.tag ? `:${f.tag}` : ''}${f.digest ? `@${f.digest}` : ''}`;
  const version = f.tag ?? f.digest!.slice('sha256:'.length, 'sha256:'.length + 12);
  return { repository: f.repository, tag: f.tag, digest: f.digest, ref, version };
}

const DEFAULT_RESOURCES: ResourceFields = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
function resolveResources(r: ResourceFields | undefined): Resources {
  const x = r ?? DEFAULT_RESOURCES;
  return {
    requests: { cpu: String(x.requests.cpu), memory: x.requests.memory },
    limits: { cpu: String(x.limits.cpu), memory: x.limits.memory },
  };
}

/** Major version from a tag like `17.6`, `18-alpine`, `16.4-bookworm`; undefined for `latest` or digests. */
export function postgresMajor(image: Image): number | undefined {
  const m = /^(\d+)/.exec(image.tag ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Postgres 18 images moved PGDATA to /var/lib/postgresql/<major>/docker and
 * declare the volume at /var/lib/postgresql; older ones use
 * /var/lib/postgresql/data. PGDATA is a subdirectory so the volume's
 * lost+found never makes initdb refuse a non-empty directory.
 */
function postgresPaths(image: Image): { dataMountPath: string; pgdata: string } {
  const major = postgresMajor(image);
  if (major !== undefined && major >= 18) return { dataMountPath: '/var/lib/postgresql', pgdata: `/var/lib/postgresql/${major}/docker` };
  return { dataMountPath: '/var/lib/postgresql/data', pgdata: '/var/lib/postgresql/data/pgdata' };
}

export function resolveEnvironment(env: ValidEnvironment): EnvironmentSpec {
  const v: EnvironmentFile = env.value;
  const pg = v.postgres;
  const mo = v.minio;
  const pgEmbedded =
    pg.mode === 'embedded'
      ? (() => {
          const image = resolveImage(pg.image!);
          return {
            name: pg.name!,
            namespace: pg.namespace!,
            image,
            ...postgresPaths(image),
            storage: pg.storage!,
            resources: resolveResources(pg.resources),
            runAsUser: pg.runAsUser ?? 999,
            credentialsSecret: `${pg.name!}-credentials`,
            initConfigMap: `${pg.name!}-init`,
          };
        })()
      : undefined;
  const minioPort = mo.port ?? 9000;
  const minioEmbedded =
    mo.mode === 'embedded'
      ? {
          name: mo.name!,
          namespace: mo.namespace!,
          port: minioPort,
          image: resolveImage(mo.image!),
          storage: mo.storage!,
          resources: resolveResources(mo.resources),
          runAsUser: mo.runAsUser ?? 1000,
          credentialsSecret: `${mo.name!}-credentials`,
        }
      : undefined;
  const mlflowName = 'mlflow';
  const serviceHost = `${mlflowName}.${v.namespace}.svc.cluster.local`;
  // MLflow ≥ 3.5 rejects unknown Host headers, and MLFLOW_SERVER_ALLOWED_HOSTS
  // replaces its defaults (mlflow/server/security_utils.py): list every name
  // clients use, exactly. No wildcard: `*:<nodePort>` would accept any Host on
  // the NodePort and switch DNS-rebinding protection off there (issue 13.3).
  const hostNames = [mlflowName, `${mlflowName}.${v.namespace}`, `${mlflowName}.${v.namespace}.svc`, serviceHost];
  const userHosts = v.mlflow.allowedHosts ?? [];
  const allowedHosts = [
    ...hostNames.flatMap((h) => [h, `${h}:${MLFLOW_PORT}`]),
    // NodePort on a node's loopback, and `kubectl port-forward svc/mlflow 5000`.
    ...['localhost', '127.0.0.1'].flatMap((h) => [h, `${h}:${v.mlflow.nodePort}`, `${h}:${MLFLOW_PORT}`]),
    ...userHosts,
  ];
  // The same origins for the UI's state-changing /ajax-api/ calls (checked by
  // releases that set MLFLOW_SERVER_CORS_ALLOWED_ORIGINS; localhost origins are
  // always accepted); extra hosts are usually ingress names, reached over https too.
  const corsOrigins = [
    ...allowedHosts.filter((h) => !userHosts.includes(h)).map((h) => `http://${h}`),
    ...userHosts.flatMap((h) => [`http://${h}`, `https://${h}`]),
  ];
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
    mlflow: {
      name: mlflowName,
      image: resolveImage(v.mlflow.image),
      replicas: v.mlflow.replicas,
      nodePort: v.mlflow.nodePort,
      port: MLFLOW_PORT,
      workers: v.mlflow.workers ?? 2,
      runAsUser: v.mlflow.runAsUser ?? 1000,
      resources: resolveResources(v.mlflow.resources),
      allowedHosts: [...new Set(allowedHosts)],
      corsAllowedOrigins: [...new Set(corsOrigins)],
      auth: { adminUser: v.mlflow.auth?.adminUser ?? 'admin', defaultPermission: v.mlflow.auth?.defaultPermission ?? 'READ' },
    },
    postgres: {
      mode: pg.mode,
      host: pgEmbedded ? `${pgEmbedded.name}.${pgEmbedded.namespace}.svc.cluster.local` : pg.host!,
      port: pg.port,
      database: pg.database,
      authDatabase: pg.authDatabase,
      user: pg.user,
      sslMode: pg.sslMode,
      embedded: pgEmbedded,
    },
    minio: {
      mode: mo.mode,
      endpoint: minioEmbedded ? `http://${minioEmbedded.name}.${minioEmbedded.namespace}.svc.cluster.local:${minioPort}` : mo.endpoint!.replace(/\/$/, ''),
      bucket: mo.bucket,
      region: mo.region ?? 'us-east-1',
      embedded: minioEmbedded,
    },
  };
}

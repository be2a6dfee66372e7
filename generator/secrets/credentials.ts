import { randomBytes } from 'node:crypto';
import type { EnvironmentSpec } from '../environment/types.js';

/**
 * Every credential an environment needs. Values that must agree (PostgreSQL's
 * password and the one MLflow uses; MinIO's root credentials and MLflow's S3
 * keys) are one credential referenced from several Secrets.
 */
export const CREDENTIALS = ['postgresPassword', 'minioRootUser', 'minioRootPassword', 'mlflowAdminPassword', 'flaskSecretKey'] as const;
export type CredentialId = (typeof CREDENTIALS)[number];

/** Lengths MLflow and MinIO accept: MinIO root password ≥ 8, MLflow admin password > 12. */
const GENERATED_LENGTH: Record<CredentialId, number> = {
  postgresPassword: 32,
  minioRootUser: 20,
  minioRootPassword: 40,
  mlflowAdminPassword: 24,
  flaskSecretKey: 48,
};
export const MIN_LENGTH: Record<CredentialId, number> = {
  postgresPassword: 12,
  minioRootUser: 3,
  minioRootPassword: 8,
  mlflowAdminPassword: 13,
  flaskSecretKey: 32,
};

/** Process environment variable that supplies a credential, e.g. GEN_GITOPS_STG_POSTGRES_PASSWORD. */
export function credentialEnvVar(env: string, id: CredentialId): string {
  const snake = id.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
  return `GEN_GITOPS_${env.toUpperCase().replace(/-/g, '_')}_${snake}`;
}

/**
 * Alphanumeric only: such values survive URIs, INI files and shell
 * expansion unescaped. 62 symbols × 32 characters ≈ 190 bits.
 */
export function generateCredential(id: CredentialId): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const n = GENERATED_LENGTH[id];
  const out: string[] = [];
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      // Rejection sampling keeps every symbol equally likely.
      if (b < 248 && out.length < n) out.push(alphabet[b % 62]!);
    }
  }
  return out.join('');
}

/** One key of a Secret and the credential it carries. */
export interface SecretEntry {
  key: string;
  credential: CredentialId;
}

/** A Secret some workload reads; providers decide how it comes to exist. */
export interface SecretSpec {
  namespace: string;
  name: string;
  /** `app.kubernetes.io/name|instance|component` of the workload it serves. */
  app: { name: string; instance: string };
  entries: SecretEntry[];
}

/** Keys of the Secret MLflow reads (named like the variables they feed). */
export const MlflowSecretKey = {
  dbPassword: 'MLFLOW_DB_PASSWORD',
  s3AccessKeyId: 'AWS_ACCESS_KEY_ID',
  s3SecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  adminPassword: 'MLFLOW_AUTH_ADMIN_PASSWORD',
  flaskSecretKey: 'MLFLOW_FLASK_SERVER_SECRET_KEY',
} as const;

export function secretSpecs(spec: EnvironmentSpec): SecretSpec[] {
  const specs: SecretSpec[] = [
    {
      namespace: spec.namespace,
      name: spec.secrets.secretName,
      app: { name: 'mlflow', instance: `mlflow-${spec.name}` },
      entries: [
        { key: MlflowSecretKey.dbPassword, credential: 'postgresPassword' },
        { key: MlflowSecretKey.s3AccessKeyId, credential: 'minioRootUser' },
        { key: MlflowSecretKey.s3SecretAccessKey, credential: 'minioRootPassword' },
        { key: MlflowSecretKey.adminPassword, credential: 'mlflowAdminPassword' },
        { key: MlflowSecretKey.flaskSecretKey, credential: 'flaskSecretKey' },
      ],
    },
  ];
  const pg = spec.postgres.embedded;
  if (pg) {
    specs.push({
      namespace: pg.namespace,
      name: pg.credentialsSecret,
      app: { name: 'postgresql', instance: pg.name },
      entries: [{ key: 'POSTGRES_PASSWORD', credential: 'postgresPassword' }],
    });
  }
  const minio = spec.minio.embedded;
  if (minio) {
    specs.push({
      namespace: minio.namespace,
      name: minio.credentialsSecret,
      app: { name: 'minio', instance: minio.name },
      entries: [
        { key: 'MINIO_ROOT_USER', credential: 'minioRootUser' },
        { key: 'MINIO_ROOT_PASSWORD', credential: 'minioRootPassword' },
      ],
    });
  }
  return specs;
}

/**
 * Where credential values come from, in order: supplied (process
 * environment), kept (what the config repo already holds, so a running
 * database keeps its password), generated. Built at the edge; the render
 * only asks it for values.
 */
export interface CredentialSource {
  value(env: string, id: CredentialId): string;
}

export interface CredentialSourceOptions {
  /** Process environment (supplied values). */
  environ: Record<string, string | undefined>;
  /** A value already in the config repo for this environment, if any. */
  kept?: (env: string, id: CredentialId) => string | undefined;
  generate?: (id: CredentialId) => string;
}

export function credentialSource(opts: CredentialSourceOptions): CredentialSource & { supplied: Set<string> } {
  const cache = new Map<string, string>();
  const supplied = new Set<string>();
  return {
    supplied,
    value(env, id) {
      const k = `${env}/${id}`;
      let v = cache.get(k);
      if (v === undefined) {
        const fromEnv = opts.environ[credentialEnvVar(env, id)];
        if (fromEnv !== undefined && fromEnv !== '') {
          v = fromEnv;
          supplied.add(k);
        } else {
          v = opts.kept?.(env, id) ?? (opts.generate ?? generateCredential)(id);
        }
        cache.set(k, v);
      }
      return v;
    },
  };
}

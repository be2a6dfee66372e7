import type { EnvironmentSpec } from '../../environment/types.js';
import type { SecretSpec } from '../credential-catalogue.js';

/** Keys of the Secret MLflow reads (named like the variables they feed). */
export const MlflowSecretKey = {
  dbPassword: 'MLFLOW_DB_PASSWORD',
  s3AccessKeyId: 'AWS_ACCESS_KEY_ID',
  s3SecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  adminPassword: 'MLFLOW_AUTH_ADMIN_PASSWORD',
  flaskSecretKey: 'MLFLOW_FLASK_SERVER_SECRET_KEY',
} as const;

/**
 * The environment's Secret (spec.secrets.secretName, in its own namespace):
 * MLflow's own credentials and, as a client, the database's and the object
 * store's, whether those are embedded or external.
 */
export function mlflowSecret(spec: EnvironmentSpec): SecretSpec {
  return {
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
  };
}

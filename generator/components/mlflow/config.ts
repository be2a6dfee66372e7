import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { recommendedLabels, Wave, waveAnnotation } from '../../charts/labels.js';
import type { EnvironmentSpec } from '../../environment/types.js';
import { LAUNCHER, LAUNCHER_FILE } from './launcher.js';

/** Keys of the MLflow ConfigMap: non-secret settings only. */
export const ConfigKey = {
  dbHost: 'MLFLOW_DB_HOST',
  dbPort: 'MLFLOW_DB_PORT',
  dbName: 'MLFLOW_DB_NAME',
  authDbName: 'MLFLOW_AUTH_DB_NAME',
  dbUser: 'MLFLOW_DB_USER',
  dbSslMode: 'MLFLOW_DB_SSLMODE',
  s3Endpoint: 'MLFLOW_S3_ENDPOINT_URL',
  region: 'AWS_DEFAULT_REGION',
  addressingStyle: 'MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE',
  allowedHosts: 'MLFLOW_SERVER_ALLOWED_HOSTS',
  corsAllowedOrigins: 'MLFLOW_SERVER_CORS_ALLOWED_ORIGINS',
  artifactsDestination: 'MLFLOW_ARTIFACTS_DESTINATION',
  adminUser: 'MLFLOW_AUTH_ADMIN_USER',
  defaultPermission: 'MLFLOW_AUTH_DEFAULT_PERMISSION',
} as const;

export function configData(spec: EnvironmentSpec): Record<string, string> {
  return {
    [ConfigKey.dbHost]: spec.postgres.host,
    [ConfigKey.dbPort]: String(spec.postgres.port),
    [ConfigKey.dbName]: spec.postgres.database,
    [ConfigKey.authDbName]: spec.postgres.authDatabase,
    [ConfigKey.dbUser]: spec.postgres.user,
    ...(spec.postgres.sslMode ? { [ConfigKey.dbSslMode]: spec.postgres.sslMode } : {}),
    [ConfigKey.s3Endpoint]: spec.minio.endpoint,
    [ConfigKey.region]: spec.minio.region,
    // MinIO serves buckets by path, not by virtual host.
    [ConfigKey.addressingStyle]: 'path',
    [ConfigKey.allowedHosts]: spec.mlflow.allowedHosts.join(','),
    [ConfigKey.corsAllowedOrigins]: spec.mlflow.corsAllowedOrigins.join(','),
    [ConfigKey.artifactsDestination]: `s3://${spec.minio.bucket}/`,
    [ConfigKey.adminUser]: spec.mlflow.auth.adminUser,
    [ConfigKey.defaultPermission]: spec.mlflow.auth.defaultPermission,
    [LAUNCHER_FILE]: LAUNCHER,
  };
}

export function addMlflowConfigMap(scope: Construct, spec: EnvironmentSpec): kplus.ConfigMap {
  return new kplus.ConfigMap(scope, 'mlflow-config', {
    metadata: {
      name: spec.configMapName,
      namespace: spec.namespace,
      labels: recommendedLabels(spec, { name: 'mlflow', instance: `mlflow-${spec.name}`, component: 'config' }),
      annotations: waveAnnotation(Wave.config),
    },
    data: configData(spec),
  });
}

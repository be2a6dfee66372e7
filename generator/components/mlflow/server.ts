import { createHash } from 'node:crypto';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { containerResources, dropAddrLabel, podSeccomp, restrictedContainer, restrictedPod } from '../../charts/hardening.js';
import { recommendedLabels, rotationAnnotation, selectorLabels, Wave, waveAnnotation, type AppIdentity } from '../../charts/labels.js';
import { addHookJob, envFromConfigMap, envFromSecret } from '../../charts/workload.js';
import type { EnvironmentSpec } from '../../environment/types.js';
import { ConfigKey } from './config.js';
import { LAUNCHER_FILE } from './launcher.js';
import { MlflowSecretKey } from './secret.js';

const LAUNCHER_DIR = '/opt/gen-gitops';
const LAUNCHER_PATH = `${LAUNCHER_DIR}/${LAUNCHER_FILE}`;

export function mlflowIdentity(spec: EnvironmentSpec): AppIdentity {
  return { name: 'mlflow', instance: `mlflow-${spec.name}`, component: 'tracking-server', version: spec.mlflow.image.version };
}

/**
 * The exact `mlflow server` command line. The backend store URI carries the
 * database password, so the launcher passes it in MLFLOW_BACKEND_STORE_URI
 * (the --backend-store-uri option's environment variable), never as an argument.
 */
export function mlflowServerArgs(spec: EnvironmentSpec): string[] {
  return [
    'mlflow',
    'server',
    '--host',
    '0.0.0.0',
    '--port',
    String(spec.mlflow.port),
    '--workers',
    String(spec.mlflow.workers),
    // Proxied artifacts: clients never need MinIO credentials.
    '--serve-artifacts',
    '--artifacts-destination',
    `s3://${spec.minio.bucket}/`,
    '--app-name',
    'basic-auth',
  ];
}

const DB_CONFIG_KEYS = (spec: EnvironmentSpec) => [
  ConfigKey.dbHost,
  ConfigKey.dbPort,
  ConfigKey.dbName,
  ConfigKey.authDbName,
  ConfigKey.dbUser,
  ...(spec.postgres.sslMode ? [ConfigKey.dbSslMode] : []),
];

export function addMlflow(scope: Construct, spec: EnvironmentSpec, config: kplus.ConfigMap): void {
  const id = mlflowIdentity(spec);
  const labels = recommendedLabels(spec, id);
  const launcher = kplus.Volume.fromConfigMap(scope, 'mlflow-launcher', config, { name: 'launcher', items: { [LAUNCHER_FILE]: { path: LAUNCHER_FILE } } });
  const secretKeys = {
    MLFLOW_DB_PASSWORD: MlflowSecretKey.dbPassword,
    AWS_ACCESS_KEY_ID: MlflowSecretKey.s3AccessKeyId,
    AWS_SECRET_ACCESS_KEY: MlflowSecretKey.s3SecretAccessKey,
    MLFLOW_AUTH_ADMIN_PASSWORD: MlflowSecretKey.adminPassword,
    // One key shared by every replica, or sessions break across pods.
    MLFLOW_FLASK_SERVER_SECRET_KEY: MlflowSecretKey.flaskSecretKey,
  };

  const health = (o: { period: number; failures: number }) =>
    kplus.Probe.fromHttpGet('/health', { port: spec.mlflow.port, periodSeconds: Duration.seconds(o.period), timeoutSeconds: Duration.seconds(5), failureThreshold: o.failures });

  // A config change must roll the pods: the checksum makes it a template change.
  const configChecksum = createHash('sha256').update(JSON.stringify(config.data)).digest('hex');
  const deployment = new kplus.Deployment(scope, 'mlflow-deployment', {
    metadata: { name: spec.mlflow.name, namespace: spec.namespace, labels, annotations: waveAnnotation(Wave.server) },
    replicas: spec.mlflow.replicas,
    select: false,
    podMetadata: { labels, annotations: { 'checksum/config': configChecksum, ...rotationAnnotation(spec) } },
    securityContext: restrictedPod(spec.mlflow.runAsUser),
    containers: [
      {
        name: 'mlflow',
        image: spec.mlflow.image.ref,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ['python', LAUNCHER_PATH],
        args: mlflowServerArgs(spec),
        ports: [{ name: 'http', number: spec.mlflow.port }],
        envVariables: {
          ...envFromConfigMap(config, [
            ...DB_CONFIG_KEYS(spec),
            ConfigKey.s3Endpoint,
            ConfigKey.region,
            ConfigKey.addressingStyle,
            ConfigKey.allowedHosts,
            ConfigKey.corsAllowedOrigins,
            ConfigKey.adminUser,
            ConfigKey.defaultPermission,
          ]),
          ...envFromSecret(scope, spec.secrets.secretName, secretKeys),
          HOME: kplus.EnvValue.fromValue('/tmp'),
          TMPDIR: kplus.EnvValue.fromValue('/tmp'),
        },
        securityContext: restrictedContainer(spec.mlflow.runAsUser),
        resources: containerResources(spec.mlflow.resources),
        // /health is the only endpoint basic auth leaves open.
        startup: health({ period: 5, failures: 60 }),
        liveness: health({ period: 15, failures: 4 }),
        readiness: health({ period: 10, failures: 3 }),
      },
    ],
  });
  deployment.select(kplus.LabelSelector.of({ labels: selectorLabels(id) }));
  deployment.containers[0]!.mount('/tmp', kplus.Volume.fromEmptyDir(scope, 'mlflow-tmp', 'tmp'));
  deployment.containers[0]!.mount(LAUNCHER_DIR, launcher, { readOnly: true });
  dropAddrLabel(deployment);
  podSeccomp(deployment);

  const service = new kplus.Service(scope, 'mlflow-service', {
    metadata: { name: spec.mlflow.name, namespace: spec.namespace, labels, annotations: waveAnnotation(Wave.server) },
    type: kplus.ServiceType.NODE_PORT,
    ports: [{ name: 'http', port: spec.mlflow.port, targetPort: spec.mlflow.port, nodePort: spec.mlflow.nodePort }],
  });
  for (const [k, v] of Object.entries(selectorLabels(id))) service.selectLabel(k, v);

  addMigrationJob(scope, spec, config, launcher, secretKeys);
  if (spec.minio.mode === 'embedded') addBucketJob(scope, spec, config, launcher, secretKeys);
}

interface LauncherJob {
  readonly id: string;
  readonly name: string;
  readonly identity: AppIdentity;
  readonly container: string;
  readonly args: string[];
  readonly configKeys: string[];
  readonly secretKeys: Record<string, string>;
}

/** A Sync-hook Job in the jobs wave running the launcher with the MLflow image. */
function addLauncherJob(scope: Construct, spec: EnvironmentSpec, config: kplus.ConfigMap, launcher: kplus.Volume, job: LauncherJob): void {
  const labels = recommendedLabels(spec, job.identity);
  addHookJob(scope, {
    id: job.id,
    name: job.name,
    namespace: spec.namespace,
    labels,
    podLabels: labels,
    annotations: waveAnnotation(Wave.jobs),
    user: spec.mlflow.runAsUser,
    resources: spec.mlflow.resources,
    container: {
      name: job.container,
      image: spec.mlflow.image.ref,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['python', LAUNCHER_PATH],
      args: job.args,
      envVariables: {
        ...envFromConfigMap(config, job.configKeys),
        ...envFromSecret(scope, spec.secrets.secretName, job.secretKeys),
        HOME: kplus.EnvValue.fromValue('/tmp'),
        TMPDIR: kplus.EnvValue.fromValue('/tmp'),
      },
    },
    volumes: [{ path: LAUNCHER_DIR, volume: launcher }],
  });
}

/**
 * The tracking database upgrade (`mlflow db upgrade`, or the initial schema on an
 * empty database; see launcher.ts) and the auth database upgrade, after the databases and
 * before the server (a Sync hook in the jobs wave: a PreSync hook would run
 * before an embedded database exists).
 */
function addMigrationJob(scope: Construct, spec: EnvironmentSpec, config: kplus.ConfigMap, launcher: kplus.Volume, secretKeys: Record<string, string>): void {
  addLauncherJob(scope, spec, config, launcher, {
    id: 'mlflow-migration-job',
    name: `mlflow-${spec.name}-db-upgrade`,
    identity: { name: 'mlflow-db-migration', instance: `mlflow-${spec.name}-db-migration`, component: 'migration', version: spec.mlflow.image.version },
    container: 'db-upgrade',
    args: ['--migrate'],
    configKeys: [...DB_CONFIG_KEYS(spec), ConfigKey.adminUser],
    secretKeys: { MLFLOW_DB_PASSWORD: secretKeys.MLFLOW_DB_PASSWORD!, MLFLOW_AUTH_ADMIN_PASSWORD: secretKeys.MLFLOW_AUTH_ADMIN_PASSWORD! },
  });
}

/**
 * Creates the artifact bucket on an embedded MinIO once it is healthy, with
 * boto3 from the MLflow image and MLflow's own S3 credentials: `mc` took them
 * in MC_HOST_<alias>, a URL it never percent-decodes, so ':', '@' or '/' in a
 * credential broke it (issue 13.6). An existing bucket is left as it is; no
 * policy is set, so the bucket stays private.
 */
function addBucketJob(scope: Construct, spec: EnvironmentSpec, config: kplus.ConfigMap, launcher: kplus.Volume, secretKeys: Record<string, string>): void {
  addLauncherJob(scope, spec, config, launcher, {
    id: 'mlflow-bucket-job',
    name: `mlflow-${spec.name}-bucket-setup`,
    identity: { name: 'mlflow-bucket-setup', instance: `mlflow-${spec.name}-bucket-setup`, component: 'bucket-setup', version: spec.mlflow.image.version },
    container: 'bucket-setup',
    args: ['--create-bucket'],
    configKeys: [ConfigKey.s3Endpoint, ConfigKey.region, ConfigKey.addressingStyle, ConfigKey.artifactsDestination],
    secretKeys: { AWS_ACCESS_KEY_ID: secretKeys.AWS_ACCESS_KEY_ID!, AWS_SECRET_ACCESS_KEY: secretKeys.AWS_SECRET_ACCESS_KEY! },
  });
}

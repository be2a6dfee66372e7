import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { EmbeddedMinio, EnvironmentSpec } from '../environment/types.js';
import { recommendedLabels, Wave, waveAnnotation, type AppIdentity } from './labels.js';
import { addStatefulService } from './stateful.js';
import { addHookJob, envFromSecret } from './workload.js';

export const MINIO_CONSOLE_PORT = 9001;
const CREDENTIAL_KEYS = { MINIO_ROOT_USER: 'MINIO_ROOT_USER', MINIO_ROOT_PASSWORD: 'MINIO_ROOT_PASSWORD' };

export function minioIdentity(m: EmbeddedMinio): AppIdentity {
  return { name: 'minio', instance: m.name, component: 'object-storage', version: m.image.version };
}

/** Embedded MinIO: single-node StatefulSet with a PVC, a Service, and a Job that creates the bucket. */
export function addEmbeddedMinio(scope: Construct, spec: EnvironmentSpec, m: EmbeddedMinio & { port: number }): void {
  addStatefulService(scope, spec, {
    id: 'minio',
    name: m.name,
    namespace: m.namespace,
    identity: minioIdentity(m),
    headlessPorts: [{ name: 'api', port: m.port, targetPort: m.port }],
    servicePorts: [
      { name: 'api', port: m.port, targetPort: m.port },
      { name: 'console', port: MINIO_CONSOLE_PORT, targetPort: MINIO_CONSOLE_PORT },
    ],
    runAsUser: m.runAsUser,
    resources: m.resources,
    container: {
      name: 'minio',
      image: m.image.ref,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['minio'],
      // --certs-dir: the default lives under $HOME, which is read-only here.
      args: ['server', '/data', '--address', `:${m.port}`, '--console-address', `:${MINIO_CONSOLE_PORT}`, '--certs-dir', '/tmp/certs'],
      ports: [
        { name: 'api', number: m.port },
        { name: 'console', number: MINIO_CONSOLE_PORT },
      ],
      envVariables: {
        ...envFromSecret(scope, m.credentialsSecret, CREDENTIAL_KEYS),
        MINIO_BROWSER_REDIRECT: kplus.EnvValue.fromValue('false'),
      },
      startup: kplus.Probe.fromHttpGet('/minio/health/live', { port: m.port, periodSeconds: Duration.seconds(5), failureThreshold: 60 }),
      liveness: kplus.Probe.fromHttpGet('/minio/health/live', { port: m.port, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
      readiness: kplus.Probe.fromHttpGet('/minio/health/ready', { port: m.port, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
    },
    writable: [{ name: 'tmp', path: '/tmp' }],
    data: { mountPath: '/data', storage: m.storage },
  });

  addBucketJob(scope, spec, m);
}

/**
 * Creates the artifact bucket once MinIO is healthy. `mc mb
 * --ignore-existing` makes reruns harmless; no anonymous policy is set, so
 * the bucket stays private. The alias comes from MC_HOST_<alias>, composed
 * by Kubernetes from the credentials (generated values are URL-safe).
 */
function addBucketJob(scope: Construct, spec: EnvironmentSpec, m: EmbeddedMinio & { port: number }): void {
  const jobId: AppIdentity = { name: 'minio-bucket-setup', instance: `${m.name}-bucket-setup`, component: 'bucket-setup', version: m.clientImage.version };
  const labels = recommendedLabels(spec, jobId);
  const host = `${m.name}.${m.namespace}.svc.cluster.local:${m.port}`;
  addHookJob(scope, {
    id: 'minio-bucket-job',
    name: `${m.name}-bucket-setup`,
    namespace: m.namespace,
    labels,
    podLabels: labels,
    annotations: waveAnnotation(Wave.jobs),
    user: m.runAsUser,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    container: {
      name: 'mc',
      image: m.clientImage.ref,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['mc'],
      args: ['mb', '--ignore-existing', `target/${spec.minio.bucket}`],
      envVariables: {
        ...envFromSecret(scope, m.credentialsSecret, CREDENTIAL_KEYS),
        MC_HOST_target: kplus.EnvValue.fromValue(`http://$(MINIO_ROOT_USER):$(MINIO_ROOT_PASSWORD)@${host}`),
        MC_CONFIG_DIR: kplus.EnvValue.fromValue('/tmp/.mc'),
      },
    },
  });
}

import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { AppIdentity } from '../../charts/labels.js';
import { addStatefulService } from '../../charts/stateful.js';
import { envFromSecret } from '../../charts/workload.js';
import type { EmbeddedMinio, EnvironmentSpec } from '../../environment/types.js';

export const MINIO_CONSOLE_PORT = 9001;
const CREDENTIAL_KEYS = { MINIO_ROOT_USER: 'MINIO_ROOT_USER', MINIO_ROOT_PASSWORD: 'MINIO_ROOT_PASSWORD' };

export function minioIdentity(m: EmbeddedMinio): AppIdentity {
  return { name: 'minio', instance: m.name, component: 'object-storage', version: m.image.version };
}

/** Embedded MinIO: single-node StatefulSet with a PVC and Services (MLflow's bucket Job creates its bucket, see components/mlflow/server.ts). */
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
}

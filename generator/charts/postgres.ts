import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { EmbeddedPostgres, EnvironmentSpec } from '../environment/types.js';
import { containerResources, dropAddrLabel, dropAddrSelector, podSeccomp, restrictedContainer, restrictedPod } from './hardening.js';
import { recommendedLabels, selectorLabels, Wave, waveAnnotation, type AppIdentity } from './labels.js';
import { addVolumeClaimTemplate, addVolumeMount, envFromSecret } from './workload.js';

/** The port PostgreSQL listens on in its pod; the Service exposes the environment's port. */
export const POSTGRES_CONTAINER_PORT = 5432;

export function postgresIdentity(pg: EmbeddedPostgres): AppIdentity {
  return { name: 'postgresql', instance: pg.name, component: 'database', version: pg.image.version };
}

/** Embedded PostgreSQL: a single-replica StatefulSet with its own PVC, a headless and a client Service. */
export function addEmbeddedPostgres(scope: Construct, spec: EnvironmentSpec, pg: EmbeddedPostgres): void {
  const id = postgresIdentity(pg);
  const labels = recommendedLabels(spec, id);
  const annotations = waveAnnotation(Wave.database);
  const user = spec.postgres.user;
  const db = spec.postgres.database;

  const headless = new kplus.Service(scope, 'postgres-headless', {
    metadata: { name: `${pg.name}-headless`, namespace: pg.namespace, labels, annotations },
    clusterIP: 'None',
    ports: [{ name: 'postgresql', port: POSTGRES_CONTAINER_PORT, targetPort: POSTGRES_CONTAINER_PORT }],
  });
  const service = new kplus.Service(scope, 'postgres', {
    metadata: { name: pg.name, namespace: pg.namespace, labels, annotations },
    type: kplus.ServiceType.CLUSTER_IP,
    ports: [{ name: 'postgresql', port: spec.postgres.port, targetPort: POSTGRES_CONTAINER_PORT }],
  });
  for (const s of [headless, service]) for (const [k, v] of Object.entries(selectorLabels(id))) s.selectLabel(k, v);

  // pg_isready over TCP: the socket answers before the server accepts remote clients.
  const pgIsReady = ['pg_isready', '-h', '127.0.0.1', '-p', String(POSTGRES_CONTAINER_PORT), '-U', user, '-d', db];
  const ready = kplus.Probe.fromCommand(pgIsReady, { periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5), failureThreshold: 6 });
  const set = new kplus.StatefulSet(scope, 'postgres-statefulset', {
    metadata: { name: pg.name, namespace: pg.namespace, labels, annotations },
    service: headless,
    replicas: 1,
    select: false,
    podMetadata: { labels },
    securityContext: restrictedPod(pg.runAsUser),
    containers: [
      {
        name: 'postgresql',
        image: pg.image.ref,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ name: 'postgresql', number: POSTGRES_CONTAINER_PORT }],
        envVariables: {
          POSTGRES_USER: kplus.EnvValue.fromValue(user),
          POSTGRES_DB: kplus.EnvValue.fromValue(db),
          PGDATA: kplus.EnvValue.fromValue(pg.pgdata),
          ...envFromSecret(scope, pg.credentialsSecret, { POSTGRES_PASSWORD: 'POSTGRES_PASSWORD' }),
        },
        securityContext: restrictedContainer(pg.runAsUser),
        resources: containerResources(pg.resources),
        // First start runs initdb: allow five minutes before liveness takes over.
        startup: kplus.Probe.fromCommand(pgIsReady, { periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(5), failureThreshold: 60 }),
        readiness: ready,
        liveness: ready,
      },
    ],
  });
  set.select(kplus.LabelSelector.of({ labels: selectorLabels(id) }));
  // The entrypoint writes the socket and temporary files; everything else stays read-only.
  set.containers[0]!.mount('/var/run/postgresql', kplus.Volume.fromEmptyDir(scope, 'postgres-run', 'run'));
  set.containers[0]!.mount('/tmp', kplus.Volume.fromEmptyDir(scope, 'postgres-tmp', 'tmp'));
  addVolumeMount(set, 0, { name: 'data', mountPath: pg.dataMountPath });
  addVolumeClaimTemplate(set, { name: 'data', size: pg.storage.size, storageClassName: pg.storage.storageClassName, labels: selectorLabels(id) });
  dropAddrLabel(set);
  dropAddrSelector(headless);
  podSeccomp(set);
}

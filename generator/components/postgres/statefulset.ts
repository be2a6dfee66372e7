import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { AppIdentity } from '../../charts/labels.js';
import { addStatefulService } from '../../charts/stateful.js';
import { envFromSecret } from '../../charts/workload.js';
import type { EmbeddedPostgres, EnvironmentSpec } from '../../environment/types.js';

/** The port PostgreSQL listens on in its pod; the Service exposes the environment's port. */
export const POSTGRES_CONTAINER_PORT = 5432;

/**
 * The instance is the StatefulSet's name: after a new-volume major upgrade
 * the Services select only the new StatefulSet's pods, never the old major's
 * pod should it still run (a manual sync without prune).
 */
export function postgresIdentity(pg: EmbeddedPostgres): AppIdentity {
  return { name: 'postgresql', instance: pg.statefulSet ?? pg.name, component: 'database', version: pg.image.version };
}

/** Embedded PostgreSQL: a single-replica StatefulSet with its own PVC, a headless and a client Service. */
export function addEmbeddedPostgres(scope: Construct, spec: EnvironmentSpec, pg: EmbeddedPostgres): void {
  const user = spec.postgres.user;
  const db = spec.postgres.database;
  // pg_isready over TCP: the socket answers before the server accepts remote clients.
  const pgIsReady = ['pg_isready', '-h', '127.0.0.1', '-p', String(POSTGRES_CONTAINER_PORT), '-U', user, '-d', db];
  const ready = kplus.Probe.fromCommand(pgIsReady, { periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5), failureThreshold: 6 });
  addStatefulService(scope, spec, {
    id: 'postgres',
    name: pg.name,
    statefulSetName: pg.statefulSet,
    namespace: pg.namespace,
    identity: postgresIdentity(pg),
    headlessPorts: [{ name: 'postgresql', port: POSTGRES_CONTAINER_PORT, targetPort: POSTGRES_CONTAINER_PORT }],
    servicePorts: [{ name: 'postgresql', port: spec.postgres.port, targetPort: POSTGRES_CONTAINER_PORT }],
    runAsUser: pg.runAsUser,
    resources: pg.resources,
    container: {
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
      // First start runs initdb: allow five minutes before liveness takes over.
      startup: kplus.Probe.fromCommand(pgIsReady, { periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(5), failureThreshold: 60 }),
      readiness: ready,
      liveness: ready,
    },
    // The entrypoint writes the socket and temporary files; everything else stays read-only.
    writable: [
      { name: 'run', path: '/var/run/postgresql' },
      { name: 'tmp', path: '/tmp' },
    ],
    data: { mountPath: pg.dataMountPath, storage: pg.storage },
    init: { name: 'apply-password', command: ['bash', '-c', APPLY_PASSWORD] },
  });
}

/**
 * The postgres image applies POSTGRES_PASSWORD only when it initialises an
 * empty PGDATA (docker-library/postgres docker-entrypoint.sh: an existing
 * PG_VERSION skips docker_init_database_dir and docker_setup_db), so a rotated
 * Secret would leave the old password in force and MLflow locked out
 * (issue 13.4). Before every start, this makes the Secret's value the
 * role's password, in single-user mode (no network, no old password needed).
 * Single-user mode, like initdb, needs a passwd entry for the uid: the image's
 * nss_wrapper supplies one when the uid is not the image's postgres user.
 * The password goes through stdin, never arguments; the statement is not logged.
 */
export const APPLY_PASSWORD = [
  'set -euo pipefail',
  '[ -s "$PGDATA/PG_VERSION" ] || exit 0',
  'if ! getent passwd "$(id -u)" > /dev/null; then',
  '  for w in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do',
  '    if [ -s "$w" ]; then',
  '      NSS_WRAPPER_PASSWD="$(mktemp)"; NSS_WRAPPER_GROUP="$(mktemp)"; export LD_PRELOAD="$w" NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP',
  '      printf \'postgres:x:%s:%s:PostgreSQL:%s:/bin/false\\n\' "$(id -u)" "$(id -g)" "$PGDATA" > "$NSS_WRAPPER_PASSWD"',
  '      printf \'postgres:x:%s:\\n\' "$(id -g)" > "$NSS_WRAPPER_GROUP"',
  '      break',
  '    fi',
  '  done',
  'fi',
  "password=${POSTGRES_PASSWORD//\\'/\\'\\'}",
  'role=${POSTGRES_USER//\\"/\\"\\"}',
  'printf "ALTER ROLE \\"%s\\" PASSWORD \'%s\';\\n" "$role" "$password" | postgres --single -D "$PGDATA" -c log_statement=none -c log_min_error_statement=panic postgres > /dev/null',
  'echo "apply-password: role $POSTGRES_USER has the password from the Secret"',
].join('\n');

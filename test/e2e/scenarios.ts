/**
 * Every scenario `npm run e2e` runs: the shipped environments, each secret
 * provider, external services, hostile credentials, day 2, and the harness's
 * own checks that it fails when it should.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { makeRsaCert } from '../helpers/certs.js';
import { defaultImage } from './prepare.js';
import { DB_HOST, outsideApp, S3_ENDPOINT } from './outside.js';
import type { AppSync } from './plan.js';
import type { KObject } from './harness/objects.js';
import type { Scenario } from './scenario.js';

/** The oldest MLflow release the validator accepts with its -full image, and the newest that installs here. */
export const OLDEST_MLFLOW = 'v3.9.0-full';
export const NEWEST_MLFLOW = 'v3.17.2-full';

type Mutator = (o: KObject) => KObject;

/** Apply `fn` to the object of that kind and name (self-tests break one thing). */
function change(kind: string, name: string, fn: Mutator): (apps: AppSync[]) => AppSync[] {
  return (apps) => {
    let found = false;
    const out = apps.map((a) => ({
      ...a,
      objects: a.objects.map((o) => {
        if (o.kind !== kind || o.metadata.name !== name) return o;
        found = true;
        return fn(structuredClone(o) as KObject);
      }),
    }));
    if (!found) throw new Error(`self-test: no ${kind}/${name} in the rendered objects`);
    return out;
  };
}

function containers(o: KObject): IContainer[] {
  return (o.spec as { template: { spec: { containers: IContainer[] } } }).template.spec.containers;
}

export const selfTests: Scenario[] = [
  {
    name: 'harness: wrong env var name',
    env: 'stg',
    mutate: change('StatefulSet', 'stg-postgres', (o) => {
      const e = containers(o)[0]!.env!.find((x) => x.name === 'POSTGRES_PASSWORD')!;
      (e as { name: string }).name = 'POSTGRES_PASSWD';
      return o;
    }),
    expectFailure: /StatefulSet\/stg-postgres container postgresql: exit 1: .*superuser password is not specified/,
  },
  {
    name: 'harness: wrong Service targetPort',
    env: 'stg',
    mutate: (apps) =>
      change('Job', 'mlflow-stg-db-upgrade', (o) => ({ ...o, spec: { ...(o.spec as object), backoffLimit: 1 } }))(
        change('Service', 'stg-postgres', (o) => {
          (o.spec as { ports: { targetPort: number }[] }).ports[0]!.targetPort = 5439;
          return o;
        })(apps),
      ),
    expectFailure: /Job\/mlflow-stg-db-upgrade container db-upgrade: exit 1: .*(Connection refused|connection refused|could not connect)/i,
  },
  {
    name: 'harness: missing Secret key',
    env: 'stg',
    mutate: change('Job', 'mlflow-stg-db-upgrade', (o) => {
      const e = containers(o)[0]!.env!.find((x) => x.name === 'MLFLOW_DB_PASSWORD')!;
      e.valueFrom!.secretKeyRef!.key = 'MLFLOW_DB_PASSWORDX';
      return o;
    }),
    expectFailure: /Job\/mlflow-stg-db-upgrade container db-upgrade: CreateContainerConfigError: couldn't find key MLFLOW_DB_PASSWORDX in Secret mlflow-stg\/mlflow-secrets-stg/,
  },
  {
    name: 'harness: probe on a wrong path',
    env: 'stg',
    healthTimeoutSeconds: 45,
    mutate: change('StatefulSet', 'minio-stg', (o) => {
      containers(o)[0]!.readinessProbe!.httpGet!.path = '/minio/health/not-here';
      return o;
    }),
    expectFailure: /StatefulSet\/minio-stg not healthy after 45s: .*container minio: not ready: HTTP probe failed with statuscode: 40[34]/,
  },
  {
    name: 'harness: write outside writable mounts',
    env: 'stg',
    mutate: change('StatefulSet', 'stg-postgres', (o) => {
      containers(o)[0]!.env!.find((x) => x.name === 'PGDATA')!.value = '/var/lib/postgresql/pgdata';
      return o;
    }),
    expectFailure: /StatefulSet\/stg-postgres container postgresql: exit 1: .*Read-only file system/,
  },
];

/** Every character the issue names: `@ : / % # ? & " '` and a space. */
export const HOSTILE = `@:/%#?&"' `;

export const scenarios: Scenario[] = [
  { name: 'stg as shipped (existing provider)', env: 'stg' },
  { name: 'rotate every credential (existing provider)', env: 'stg', rotate: true },
  // Issue 13.9: on a new cluster both Applications appear at once; without a retry, the
  // environment's cannot create its objects in the shared namespace the other one owns.
  // (With the `existing` provider a person has created the namespaces for the Secrets already.)
  {
    name: 'first sync of a new cluster, environment Application first',
    env: 'dev',
    environmentFirst: true,
    setup: (ws) => {
      ws.set('dev', ['allowPlaintextSecrets'], true);
      ws.set('dev', ['secrets', 'provider'], 'plain');
    },
  },
  {
    name: 'day 2: oldest MLflow, restarts, newest MLflow',
    env: 'stg',
    setup: (ws) => {
      ws.set('stg', ['mlflow', 'image', 'tag'], OLDEST_MLFLOW);
    },
    day2UpgradeTo: NEWEST_MLFLOW,
  },
  {
    name: 'plain provider',
    env: 'dev',
    setup: (ws) => {
      ws.set('dev', ['allowPlaintextSecrets'], true);
      ws.set('dev', ['secrets', 'provider'], 'plain');
    },
  },
  {
    name: 'sealed-secrets provider',
    env: 'stg',
    setup: (ws) => {
      const cert = makeRsaCert(ws.dir, { days: 30 });
      writeFileSync(join(ws.source, 'environments', 'stg-sealing.pem'), cert.certPem);
      const key = join(ws.dir, 'controller-key.pem');
      writeFileSync(key, cert.keyPem, { mode: 0o600 });
      ws.set('stg', ['secrets'], { provider: 'sealed-secrets', sealedSecrets: { certificate: 'stg-sealing.pem' } });
      return { sealedSecretsKey: key };
    },
  },
  {
    name: 'credentials with @ : / % # ? & " \' and a space',
    env: 'stg',
    setup: () => ({
      credentials: {
        GEN_GITOPS_STG_POSTGRES_PASSWORD: `pg-pass${HOSTILE}end`,
        GEN_GITOPS_STG_MINIO_ROOT_USER: `minio${HOSTILE}user`,
        GEN_GITOPS_STG_MINIO_ROOT_PASSWORD: `minio-pass${HOSTILE}end`,
        GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD: `admin-pass${HOSTILE}end`,
      },
    }),
  },
  {
    name: 'external PostgreSQL (no CREATEDB) and external S3',
    env: 'stg',
    setup: (ws) => {
      const c = {
        adminPassword: 'outside-admin-password-1',
        appUser: 'mlflow',
        appPassword: 'outside-app-password-2',
        database: 'mlflow',
        authDatabase: 'mlflow_auth',
        s3User: 'outsideaccess',
        s3Password: 'outside-secret-key-3',
        bucket: 'mlflow',
      };
      ws.set('stg', ['postgres'], { mode: 'external', host: DB_HOST, port: 5432, database: c.database, authDatabase: c.authDatabase, user: c.appUser });
      ws.set('stg', ['minio'], { mode: 'external', endpoint: S3_ENDPOINT, bucket: c.bucket });
      const outside = outsideApp(c, { postgres: defaultImage('postgres'), minio: defaultImage('minio'), mlflow: defaultImage('mlflow') });
      return {
        credentials: {
          GEN_GITOPS_STG_POSTGRES_PASSWORD: c.appPassword,
          GEN_GITOPS_STG_MINIO_ROOT_USER: c.s3User,
          GEN_GITOPS_STG_MINIO_ROOT_PASSWORD: c.s3Password,
        },
        apps: [outside.app],
        preload: outside.preload,
      };
    },
  },
];

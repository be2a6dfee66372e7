/**
 * Every scenario `npm run e2e` runs: the shipped environments, each secret
 * provider, external services, hostile credentials, day 2, and the harness's
 * own checks that it fails when it should.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
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
    mutate: (apps) => change('Job', 'mlflow-stg-db-upgrade', (o) => ({ ...o, spec: { ...(o.spec as object), backoffLimit: 1 } }))(
      change('Service', 'stg-postgres', (o) => {
        (o.spec as { ports: { targetPort: number }[] }).ports[0]!.targetPort = 5439;
        return o;
      })(apps)),
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
    expectFailure: /StatefulSet\/minio-stg not healthy after 45s: .*container minio: not ready: HTTP probe failed with statuscode: 404/,
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

export const scenarios: Scenario[] = [
  {
    name: 'stg as shipped, day 2',
    env: 'stg',
    setup: (ws) => { ws.set('stg', ['mlflow', 'image', 'tag'], OLDEST_MLFLOW); },
    day2UpgradeTo: NEWEST_MLFLOW,
  },
];

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../generator/charts/environment.js';
import { checkManifests } from '../generator/check/schema.js';
import { credentialSource } from '../generator/secrets/credentials.js';
import { remoteKey } from '../generator/secrets/external.js';
import { byKind, envYaml, makeSource, one, specOf, synth, worldOf, yamlOf } from './fixtures/secrets/env.js';

let dir: string;
let source: string;

type ES = KubeObject & {
  spec: {
    secretStoreRef?: { name: string; kind: string };
    refreshInterval?: string;
    refreshPolicy?: string;
    target: { name: string; creationPolicy: string };
    data?: { secretKey: string; remoteRef: { key: string } }[];
    dataFrom?: { sourceRef: { generatorRef: { apiVersion: string; kind: string; name: string } }; rewrite: { regexp: { source: string; target: string } }[] }[];
  };
};

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'external-secrets-test-'));
  source = makeSource(
    {
      stg: envYaml('stg', { secrets: 'provider: external-secrets\nexternalSecrets:\n  storeRef: { name: vault, kind: ClusterSecretStore }' }),
      gen: envYaml('gen', {
        secrets: 'provider: external-secrets\nexternalSecrets:\n  storeRef: { name: vault }\n  remoteKeyPrefix: teams/ml/gen-\n  refreshInterval: 15m\n  generatePasswords: true',
      }),
    },
    dir,
  );
});

test.after.always(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('one ExternalSecret per Secret; shared credentials read the same remote key', (t) => {
  const creds = credentialSource({ environ: {} });
  const objs = synth(specOf(source, 'stg'), creds, worldOf());
  t.deepEqual(creds.handedOut(), [], 'no value is generated or read by gen-gitops');
  t.is(byKind(objs, 'Secret').length, 0);
  t.is(byKind(objs, 'Password').length, 0);
  const es = byKind(objs, 'ExternalSecret') as ES[];
  t.deepEqual(es.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort(), [
    'mlflow-stg/mlflow-secrets-stg',
    'pgsql/minio-stg-credentials',
    'pgsql/stg-postgres-credentials',
  ]);
  for (const o of es) {
    t.is(o.apiVersion, 'external-secrets.io/v1');
    t.deepEqual(o.spec.secretStoreRef, { name: 'vault', kind: 'ClusterSecretStore' });
    t.deepEqual(o.spec.target, { name: o.metadata.name, creationPolicy: 'Owner' });
    t.is(o.spec.refreshInterval, '1h');
    t.is(o.spec.dataFrom, undefined);
  }
  const keys = (name: string) => Object.fromEntries((one(objs, 'ExternalSecret', name) as ES).spec.data!.map((d) => [d.secretKey, d.remoteRef.key]));
  t.deepEqual(keys('mlflow-secrets-stg'), {
    MLFLOW_DB_PASSWORD: 'mlflow/stg/postgres-password',
    AWS_ACCESS_KEY_ID: 'mlflow/stg/minio-root-user',
    AWS_SECRET_ACCESS_KEY: 'mlflow/stg/minio-root-password',
    MLFLOW_AUTH_ADMIN_PASSWORD: 'mlflow/stg/mlflow-admin-password',
    MLFLOW_FLASK_SERVER_SECRET_KEY: 'mlflow/stg/flask-secret-key',
  });
  t.deepEqual(keys('stg-postgres-credentials'), { POSTGRES_PASSWORD: 'mlflow/stg/postgres-password' });
  t.deepEqual(keys('minio-stg-credentials'), { MINIO_ROOT_USER: 'mlflow/stg/minio-root-user', MINIO_ROOT_PASSWORD: 'mlflow/stg/minio-root-password' });
  t.is(remoteKey('x/', 'flaskSecretKey'), 'x/flask-secret-key');
});

test('generatePasswords: generators only for values one Secret carries, synced once and never refreshed', (t) => {
  const objs = synth(specOf(source, 'gen'), credentialSource({ environ: {} }), worldOf());
  const passwords = byKind(objs, 'Password') as (KubeObject & { spec: Record<string, unknown> })[];
  t.deepEqual(passwords.map((p) => p.metadata.name).sort(), ['mlflow-secrets-gen-flask-secret-key', 'mlflow-secrets-gen-mlflow-admin-password']);
  for (const p of passwords) {
    t.is(p.apiVersion, 'generators.external-secrets.io/v1alpha1');
    t.is(p.metadata.namespace, 'mlflow-gen');
    t.is(p.spec['symbols'], 0, 'alphanumeric: safe in INI files and URIs');
    t.true((p.spec['length'] as number) > 12);
  }

  const generated = one(objs, 'ExternalSecret', 'mlflow-secrets-gen-generated') as ES;
  t.is(generated.spec.refreshPolicy, 'CreatedOnce');
  t.is(generated.spec.refreshInterval, '0');
  t.deepEqual(generated.spec.target, { name: 'mlflow-secrets-gen', creationPolicy: 'Orphan' });
  t.is(generated.spec.data, undefined);
  t.deepEqual(
    generated.spec.dataFrom!.map((d) => [d.sourceRef.generatorRef.kind, d.sourceRef.generatorRef.name, d.rewrite[0]!.regexp.target]),
    [
      ['Password', 'mlflow-secrets-gen-mlflow-admin-password', 'MLFLOW_AUTH_ADMIN_PASSWORD'],
      ['Password', 'mlflow-secrets-gen-flask-secret-key', 'MLFLOW_FLASK_SERVER_SECRET_KEY'],
    ],
  );

  // The store-backed keys of the same Secret merge in, one wave later, refreshing normally.
  const main = one(objs, 'ExternalSecret', 'mlflow-secrets-gen') as ES;
  t.deepEqual(main.spec.target, { name: 'mlflow-secrets-gen', creationPolicy: 'Merge' });
  t.is(main.spec.refreshInterval, '15m');
  t.deepEqual(main.spec.secretStoreRef, { name: 'vault', kind: 'SecretStore' });
  t.deepEqual(
    main.spec.data!.map((d) => [d.secretKey, d.remoteRef.key]),
    [
      ['MLFLOW_DB_PASSWORD', 'teams/ml/gen-postgres-password'],
      ['AWS_ACCESS_KEY_ID', 'teams/ml/gen-minio-root-user'],
      ['AWS_SECRET_ACCESS_KEY', 'teams/ml/gen-minio-root-password'],
    ],
  );
  t.true(Number(main.metadata.annotations!['argocd.argoproj.io/sync-wave']) > Number(generated.metadata.annotations!['argocd.argoproj.io/sync-wave']));

  // The database credentials never come from a generator: PostgreSQL and MLflow must agree.
  const pg = one(objs, 'ExternalSecret', 'gen-postgres-credentials') as ES;
  t.deepEqual(pg.spec.target, { name: 'gen-postgres-credentials', creationPolicy: 'Owner' });
  t.deepEqual(
    pg.spec.data!.map((d) => d.remoteRef.key),
    ['teams/ml/gen-postgres-password'],
  );
  t.is(byKind(objs, 'ExternalSecret').length, 4);
});

test('ExternalSecret and Password objects validate against their CRD schemas', async (t) => {
  const objs = [...synth(specOf(source, 'stg'), credentialSource({ environ: {} }), worldOf()), ...synth(specOf(source, 'gen'), credentialSource({ environ: {} }), worldOf())];
  const es = objs.filter((o) => o.apiVersion.includes('external-secrets.io'));
  t.is(es.length, 3 + 4 + 2);
  t.deepEqual(await checkManifests(objs.map((o) => ({ path: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, object: o }))), []);
});

test('rendering is deterministic', (t) => {
  const a = synth(specOf(source, 'gen'), credentialSource({ environ: {} }), worldOf());
  const b = synth(specOf(source, 'gen'), credentialSource({ environ: {} }), worldOf(a));
  t.is(yamlOf(a), yamlOf(b));
});

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../generator/charts/environment.js';
import { checkManifests } from '../generator/check/schema.js';
import { ExitCode, InputError } from '../generator/errors.js';
import { credentialEnvVar, credentialSource } from '../generator/secrets/credentials.js';
import { CERT_ANNOTATION } from '../generator/secrets/sealed.js';
import { byKind, controllerDecrypt, envYaml, makeSource, one, specOf, synth, unsealObject, worldOf, yamlOf } from './fixtures/secrets/env.js';
import { makeEcCert, makeRsaCert, type TestCert } from './helpers/certs.js';

let dir: string;
let cert: TestCert;
let cert2: TestCert;
let source: string;

const sealedEnv = (name: string, certPath: string, extra: Partial<Parameters<typeof envYaml>[1]> = {}, scope?: string) =>
  envYaml(name, { secrets: `provider: sealed-secrets\nsealedSecrets:\n  certificate: ${certPath}${scope ? `\n  scope: ${scope}` : ''}`, ...extra });

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealed-secrets-test-'));
  cert = makeRsaCert(dir, { days: 30 });
  cert2 = makeRsaCert(dir, { days: 30 });
  source = makeSource(
    {
      stg: sealedEnv('stg', cert.certPath),
      nsw: sealedEnv('nsw', cert.certPath, {}, 'namespace-wide'),
      cw: sealedEnv('cw', cert.certPath, {}, 'cluster-wide'),
      // External S3: MLflow's S3 keys must be supplied.
      ext: sealedEnv('ext', cert.certPath, { minio: 'minio:\n  mode: external\n  endpoint: https://s3.example.com' }),
    },
    dir,
  );
});

test.after.always(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sealedOf = (objs: KubeObject[]) => byKind(objs, 'SealedSecret');

function problemsOf(t: { fail(m?: string): void }, fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  t.fail('expected an InputError');
  throw new Error('unreachable');
}

test('every Secret becomes a SealedSecret that the controller unseals to the credential values', (t) => {
  const spec = specOf(source, 'stg');
  const creds = credentialSource({ environ: {} });
  const objs = synth(spec, creds, worldOf());
  t.is(byKind(objs, 'Secret').length, 0, 'no plain Secret is rendered');
  const sealed = sealedOf(objs);
  t.deepEqual(sealed.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort(), [
    'mlflow-stg/mlflow-secrets-stg',
    'pgsql/minio-stg-credentials',
    'pgsql/stg-postgres-credentials',
  ]);

  const mlflow = unsealObject(cert.keyPem, one(objs, 'SealedSecret', 'mlflow-secrets-stg'));
  const pg = unsealObject(cert.keyPem, one(objs, 'SealedSecret', 'stg-postgres-credentials'));
  const minio = unsealObject(cert.keyPem, one(objs, 'SealedSecret', 'minio-stg-credentials'));
  const v = (id: Parameters<typeof creds.value>[1]) => creds.value('stg', id);
  t.deepEqual(mlflow, {
    MLFLOW_DB_PASSWORD: v('postgresPassword'),
    AWS_ACCESS_KEY_ID: v('minioRootUser'),
    AWS_SECRET_ACCESS_KEY: v('minioRootPassword'),
    MLFLOW_AUTH_ADMIN_PASSWORD: v('mlflowAdminPassword'),
    MLFLOW_FLASK_SERVER_SECRET_KEY: v('flaskSecretKey'),
  });
  // Values that must agree were generated once and shared.
  t.is(pg['POSTGRES_PASSWORD'], mlflow['MLFLOW_DB_PASSWORD']);
  t.is(minio['MINIO_ROOT_USER'], mlflow['AWS_ACCESS_KEY_ID']);
  t.is(minio['MINIO_ROOT_PASSWORD'], mlflow['AWS_SECRET_ACCESS_KEY']);
  t.true(mlflow['MINIO_ROOT_PASSWORD'] === undefined && minio['MINIO_ROOT_PASSWORD']!.length >= 8);
  t.true(mlflow['MLFLOW_AUTH_ADMIN_PASSWORD']!.length > 12);

  for (const o of sealed) {
    const s = o as KubeObject & { spec: { template: { metadata: Record<string, unknown>; type: string } } };
    t.is(s.apiVersion, 'bitnami.com/v1alpha1');
    t.is(s.spec.template.type, 'Opaque');
    t.is(s.spec.template.metadata['name'], o.metadata.name);
    t.is(s.spec.template.metadata['namespace'], o.metadata.namespace);
    t.is(o.metadata.annotations?.[CERT_ANNOTATION]?.length, 64);
    t.is(o.metadata.annotations?.['sealedsecrets.bitnami.com/namespace-wide'], undefined);
    t.is(o.metadata.annotations?.['sealedsecrets.bitnami.com/cluster-wide'], undefined);
  }
  // No value appears anywhere in the rendered YAML.
  const text = yamlOf(objs);
  for (const h of creds.handedOut()) t.false(text.includes(h.value), `${h.id} leaked`);
});

test('a value sealed for one namespace/name does not unseal under another label', (t) => {
  const objs = synth(specOf(source, 'stg'), credentialSource({ environ: {} }), worldOf());
  const pg = one(objs, 'SealedSecret', 'stg-postgres-credentials') as KubeObject & { spec: { encryptedData: Record<string, string> } };
  const sealed = pg.spec.encryptedData['POSTGRES_PASSWORD']!;
  t.notThrows(() => controllerDecrypt(cert.keyPem, sealed, 'pgsql/stg-postgres-credentials'));
  for (const label of ['pgsql/prod-postgres-credentials', 'mlflow-stg/stg-postgres-credentials', 'pgsql', '']) {
    t.throws(() => controllerDecrypt(cert.keyPem, sealed, label), undefined, `unsealed under '${label}'`);
  }
  // ... nor with another controller's key.
  t.throws(() => controllerDecrypt(cert2.keyPem, sealed, 'pgsql/stg-postgres-credentials'));
});

test('namespace-wide and cluster-wide scopes carry their annotation and label', (t) => {
  for (const [env, annotation, label] of [
    ['nsw', 'sealedsecrets.bitnami.com/namespace-wide', 'pgsql'],
    ['cw', 'sealedsecrets.bitnami.com/cluster-wide', ''],
  ] as const) {
    const creds = credentialSource({ environ: {} });
    const objs = synth(specOf(source, env), creds, worldOf());
    const pg = one(objs, 'SealedSecret', `${env}-postgres-credentials`) as KubeObject & {
      spec: { encryptedData: Record<string, string>; template: { metadata: { annotations?: Record<string, string> } } };
    };
    t.is(pg.metadata.annotations?.[annotation], 'true');
    t.is(pg.spec.template.metadata.annotations?.[annotation], 'true');
    t.is(controllerDecrypt(cert.keyPem, pg.spec.encryptedData['POSTGRES_PASSWORD']!, label), creds.value(env, 'postgresPassword'));
    t.deepEqual(unsealObject(cert.keyPem, pg), { POSTGRES_PASSWORD: creds.value(env, 'postgresPassword') });
  }
});

test('SealedSecrets validate against the sealed-secrets CRD schema', async (t) => {
  const objs = synth(specOf(source, 'stg'), credentialSource({ environ: {} }), worldOf());
  const failures = await checkManifests(objs.map((o) => ({ path: `${o.kind}/${o.metadata.name}`, object: o })));
  t.deepEqual(failures, []);
  t.is(sealedOf(objs).length, 3);
});

test('expired, not-yet-valid and non-RSA certificates are refused with exit 2, naming the env and the file', (t) => {
  const expired = makeRsaCert(dir, { notBeforeOffsetDays: -30, notAfterOffsetDays: -1 });
  const future = makeRsaCert(dir, { notBeforeOffsetDays: 2, days: 30 });
  const ec = makeEcCert(dir);
  const spec = specOf(source, 'stg');
  for (const [c, words] of [
    [expired, /expired/],
    [future, /not valid until/],
    [ec, /RSA/],
  ] as const) {
    const e = problemsOf(t, () => synth(spec, credentialSource({ environ: {} }), worldOf([], { sealedSecretsCert: c.certPath })));
    t.is(e.exitCode, ExitCode.invalidInput);
    t.regex(e.message, words);
    t.true(e.message.includes(c.certPath), e.message);
    t.true(e.message.includes("'stg'"), e.message);
    t.is(e.problems[0]!.field, '--sealed-secrets-cert');
  }
  const missing = problemsOf(t, () => synth(spec, credentialSource({ environ: {} }), worldOf([], { sealedSecretsCert: join(dir, 'nope.pem') })));
  t.regex(missing.message, /cannot read the Sealed Secrets certificate .*nope\.pem: no such file/);
  t.regex(missing.message, /kubeseal --fetch-cert/);
});

test('--sealed-secrets-cert overrides the certificate of the environment file', (t) => {
  const creds = credentialSource({ environ: {} });
  const world = worldOf([], { sealedSecretsCert: cert2.certPath });
  const objs = synth(specOf(source, 'stg'), creds, world);
  t.true(world.reads.every((p) => p === cert2.certPath));
  t.is(unsealObject(cert2.keyPem, one(objs, 'SealedSecret', 'stg-postgres-credentials'))['POSTGRES_PASSWORD'], creds.value('stg', 'postgresPassword'));
});

test('no churn: a second render with the committed objects fed back is byte-identical', (t) => {
  const spec = specOf(source, 'stg');
  const first = synth(spec, credentialSource({ environ: {} }), worldOf());
  // A fresh credential source: nothing remembers the values, only the repo's objects.
  const again = credentialSource({ environ: {} });
  const second = synth(spec, again, worldOf(first));
  t.is(yamlOf(second), yamlOf(first));
  t.deepEqual(again.handedOut(), [], 'no value was needed, none generated');
  const third = synth(spec, credentialSource({ environ: {} }), worldOf(second));
  t.is(yamlOf(third), yamlOf(first));
});

test('a supplied value changes only its own ciphertexts, consistently in every Secret', (t) => {
  const spec = specOf(source, 'stg');
  const first = synth(spec, credentialSource({ environ: {} }), worldOf());
  const before = Object.fromEntries(sealedOf(first).map((o) => [o.metadata.name, unsealObject(cert.keyPem, o)]));
  const supplied = 'new-Postgres-password-1234';
  const second = synth(spec, credentialSource({ environ: { [credentialEnvVar('stg', 'postgresPassword')]: supplied } }), worldOf(first));
  const enc = (objs: KubeObject[], name: string) => (one(objs, 'SealedSecret', name) as KubeObject & { spec: { encryptedData: Record<string, string> } }).spec.encryptedData;

  const m1 = enc(first, 'mlflow-secrets-stg');
  const m2 = enc(second, 'mlflow-secrets-stg');
  t.not(m2['MLFLOW_DB_PASSWORD'], m1['MLFLOW_DB_PASSWORD']);
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'MLFLOW_AUTH_ADMIN_PASSWORD', 'MLFLOW_FLASK_SERVER_SECRET_KEY']) t.is(m2[k], m1[k], `${k} kept byte for byte`);
  t.not(enc(second, 'stg-postgres-credentials')['POSTGRES_PASSWORD'], enc(first, 'stg-postgres-credentials')['POSTGRES_PASSWORD']);
  t.deepEqual(enc(second, 'minio-stg-credentials'), enc(first, 'minio-stg-credentials'));

  const after = Object.fromEntries(sealedOf(second).map((o) => [o.metadata.name, unsealObject(cert.keyPem, o)]));
  t.is(after['mlflow-secrets-stg']!['MLFLOW_DB_PASSWORD'], supplied);
  t.is(after['stg-postgres-credentials']!['POSTGRES_PASSWORD'], supplied);
  t.is(after['mlflow-secrets-stg']!['AWS_SECRET_ACCESS_KEY'], before['mlflow-secrets-stg']!['AWS_SECRET_ACCESS_KEY']);

  // Only the changed keys differ in the YAML.
  const diff = yamlOf(second)
    .split('\n')
    .filter((l, i) => l !== yamlOf(first).split('\n')[i]);
  t.deepEqual(diff.map((l) => l.trim().split(':')[0]).sort(), ['MLFLOW_DB_PASSWORD', 'POSTGRES_PASSWORD']);
});

test('a supplied value that is too short is refused naming the variable, never showing the value', (t) => {
  const e = problemsOf(t, () => synth(specOf(source, 'stg'), credentialSource({ environ: { GEN_GITOPS_STG_MINIO_ROOT_PASSWORD: 'short' } }), worldOf()));
  t.is(e.exitCode, ExitCode.invalidInput);
  t.true(e.message.includes('GEN_GITOPS_STG_MINIO_ROOT_PASSWORD'));
  t.regex(e.message, /at least 8/);
  t.false(e.message.includes('short'));
});

test('a changed certificate: kept values cannot be re-sealed without their plaintext, supplied ones can', (t) => {
  const spec = specOf(source, 'stg');
  const first = synth(spec, credentialSource({ environ: {} }), worldOf());
  const e = problemsOf(t, () => synth(spec, credentialSource({ environ: {} }), worldOf(first, { sealedSecretsCert: cert2.certPath })));
  t.is(e.exitCode, ExitCode.invalidInput);
  const fields = e.problems.map((p) => p.field).sort();
  // The Flask secret key is simply regenerated; everything a running workload keeps must be supplied.
  t.deepEqual(fields, ['GEN_GITOPS_STG_MINIO_ROOT_PASSWORD', 'GEN_GITOPS_STG_MINIO_ROOT_USER', 'GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD', 'GEN_GITOPS_STG_POSTGRES_PASSWORD']);
  t.regex(e.message, /sealing certificate changed/);
  t.regex(e.message, /kubectl -n pgsql get secret stg-postgres-credentials -o jsonpath='\{\.data\.POSTGRES_PASSWORD\}' \| base64 -d/);
  t.regex(e.message, /--secret-file GEN_GITOPS_STG_POSTGRES_PASSWORD=<file>/);

  // Supplying the values (read from the cluster) re-seals everything for the new certificate.
  const old = unsealObject(cert.keyPem, one(first, 'SealedSecret', 'mlflow-secrets-stg'));
  const environ = {
    GEN_GITOPS_STG_POSTGRES_PASSWORD: old['MLFLOW_DB_PASSWORD'],
    GEN_GITOPS_STG_MINIO_ROOT_USER: old['AWS_ACCESS_KEY_ID'],
    GEN_GITOPS_STG_MINIO_ROOT_PASSWORD: old['AWS_SECRET_ACCESS_KEY'],
    GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD: old['MLFLOW_AUTH_ADMIN_PASSWORD'],
  };
  const resealed = synth(spec, credentialSource({ environ }), worldOf(first, { sealedSecretsCert: cert2.certPath }));
  const now = unsealObject(cert2.keyPem, one(resealed, 'SealedSecret', 'mlflow-secrets-stg'));
  t.is(now['MLFLOW_DB_PASSWORD'], old['MLFLOW_DB_PASSWORD']);
  t.is(now['MLFLOW_AUTH_ADMIN_PASSWORD'], old['MLFLOW_AUTH_ADMIN_PASSWORD']);
  t.not(now['MLFLOW_FLASK_SERVER_SECRET_KEY'], old['MLFLOW_FLASK_SERVER_SECRET_KEY']);
  for (const o of sealedOf(resealed)) t.not(o.metadata.annotations?.[CERT_ANNOTATION], one(first, 'SealedSecret', o.metadata.name).metadata.annotations?.[CERT_ANNOTATION]);
  // ... and the next run (without the variables) keeps it all.
  t.is(yamlOf(synth(spec, credentialSource({ environ: {} }), worldOf(resealed, { sealedSecretsCert: cert2.certPath }))), yamlOf(resealed));
});

test('--reseal re-encrypts supplied values and refuses to invent values a running workload keeps', (t) => {
  const spec = specOf(source, 'stg');
  const first = synth(spec, credentialSource({ environ: {} }), worldOf());
  const e = problemsOf(t, () => synth(spec, credentialSource({ environ: {} }), worldOf(first, { reseal: true })));
  t.regex(e.message, /--reseal re-encrypts every value/);
  t.is(e.problems.length, 4);

  const old = unsealObject(cert.keyPem, one(first, 'SealedSecret', 'mlflow-secrets-stg'));
  const environ = {
    GEN_GITOPS_STG_POSTGRES_PASSWORD: old['MLFLOW_DB_PASSWORD'],
    GEN_GITOPS_STG_MINIO_ROOT_USER: old['AWS_ACCESS_KEY_ID'],
    GEN_GITOPS_STG_MINIO_ROOT_PASSWORD: old['AWS_SECRET_ACCESS_KEY'],
    GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD: old['MLFLOW_AUTH_ADMIN_PASSWORD'],
    GEN_GITOPS_STG_FLASK_SECRET_KEY: old['MLFLOW_FLASK_SERVER_SECRET_KEY'],
  };
  const resealed = synth(spec, credentialSource({ environ }), worldOf(first, { reseal: true }));
  for (const o of sealedOf(resealed)) {
    const before = one(first, 'SealedSecret', o.metadata.name) as KubeObject & { spec: { encryptedData: Record<string, string> } };
    const enc = (o as KubeObject & { spec: { encryptedData: Record<string, string> } }).spec.encryptedData;
    for (const [k, v] of Object.entries(enc)) t.not(v, before.spec.encryptedData[k], `${k} re-encrypted`);
    t.deepEqual(unsealObject(cert.keyPem, o), unsealObject(cert.keyPem, before));
  }
});

test('a changed scope needs the values again', (t) => {
  const first = synth(specOf(source, 'stg'), credentialSource({ environ: {} }), worldOf());
  // Same objects, but the environment now says namespace-wide: pretend stg's objects were nsw's.
  const renamed = JSON.parse(JSON.stringify(first).replaceAll('stg', 'nsw')) as KubeObject[];
  const e = problemsOf(t, () => synth(specOf(source, 'nsw'), credentialSource({ environ: {} }), worldOf(renamed)));
  t.regex(e.message, /sealing scope changed \(.* was sealed strict, now namespace-wide\)/);
});

test('a newly embedded MinIO gets fresh credentials, sealed consistently into both Secrets; nothing else changes', (t) => {
  // Before: external S3, keys supplied.
  const extSource = makeSource({ stg: sealedEnv('stg', cert.certPath, { minio: 'minio:\n  mode: external\n  endpoint: https://s3.example.com' }) }, mkdtempSync(join(dir, 'mig-')));
  const environ = { GEN_GITOPS_STG_MINIO_ROOT_USER: 'AKIAEXTERNAL01', GEN_GITOPS_STG_MINIO_ROOT_PASSWORD: 'external-secret-key-123' };
  const before = synth(specOf(extSource, 'stg'), credentialSource({ environ }), worldOf());
  t.is(sealedOf(before).length, 2);
  // After: embedded MinIO, no variables: the old keys belong to the old endpoint.
  const creds = credentialSource({ environ: {} });
  const after = synth(specOf(source, 'stg'), creds, worldOf(before));
  const mlflow = unsealObject(cert.keyPem, one(after, 'SealedSecret', 'mlflow-secrets-stg'));
  const minio = unsealObject(cert.keyPem, one(after, 'SealedSecret', 'minio-stg-credentials'));
  t.is(minio['MINIO_ROOT_USER'], mlflow['AWS_ACCESS_KEY_ID']);
  t.is(minio['MINIO_ROOT_PASSWORD'], mlflow['AWS_SECRET_ACCESS_KEY']);
  t.not(mlflow['AWS_ACCESS_KEY_ID'], 'AKIAEXTERNAL01');
  const enc = (objs: KubeObject[], name: string) => (one(objs, 'SealedSecret', name) as KubeObject & { spec: { encryptedData: Record<string, string> } }).spec.encryptedData;
  t.is(enc(after, 'mlflow-secrets-stg')['MLFLOW_DB_PASSWORD'], enc(before, 'mlflow-secrets-stg')['MLFLOW_DB_PASSWORD']);
  t.is(enc(after, 'stg-postgres-credentials')['POSTGRES_PASSWORD'], enc(before, 'stg-postgres-credentials')['POSTGRES_PASSWORD']);
  t.deepEqual(
    creds
      .handedOut()
      .map((h) => h.id)
      .sort(),
    ['minioRootPassword', 'minioRootUser'],
  );
});

test('a running database whose sealed password is missing is never given a new one', (t) => {
  const spec = specOf(source, 'stg');
  const first = synth(spec, credentialSource({ environ: {} }), worldOf());
  // The pg credentials file was deleted from the config repo, the StatefulSet is still there.
  const withoutPg = first.filter((o) => !(o.kind === 'SealedSecret' && o.metadata.name === 'stg-postgres-credentials'));
  const e = problemsOf(t, () => synth(spec, credentialSource({ environ: {} }), worldOf(withoutPg)));
  t.deepEqual(
    e.problems.map((p) => p.field),
    ['GEN_GITOPS_STG_POSTGRES_PASSWORD'],
  );
  t.regex(e.message, /pgsql\/stg-postgres-credentials has no sealed POSTGRES_PASSWORD yet/);

  // Switching an environment that ran with provider existing to sealed-secrets: StatefulSets exist, no SealedSecret.
  const workloadsOnly = first.filter((o) => o.kind !== 'SealedSecret');
  const e2 = problemsOf(t, () => synth(spec, credentialSource({ environ: {} }), worldOf(workloadsOnly)));
  t.deepEqual(e2.problems.map((p) => p.field).sort(), [
    'GEN_GITOPS_STG_MINIO_ROOT_PASSWORD',
    'GEN_GITOPS_STG_MINIO_ROOT_USER',
    'GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD',
    'GEN_GITOPS_STG_POSTGRES_PASSWORD',
  ]);
});

test('values kept from an earlier plain Secret are sealed, not regenerated', (t) => {
  const kept = { postgresPassword: 'kept-plain-password-0001' } as Record<string, string>;
  const creds = credentialSource({ environ: {}, kept: (_env, id) => kept[id] });
  const objs = synth(specOf(source, 'stg'), creds, worldOf());
  t.is(unsealObject(cert.keyPem, one(objs, 'SealedSecret', 'stg-postgres-credentials'))['POSTGRES_PASSWORD'], 'kept-plain-password-0001');
  t.is(unsealObject(cert.keyPem, one(objs, 'SealedSecret', 'mlflow-secrets-stg'))['MLFLOW_DB_PASSWORD'], 'kept-plain-password-0001');
});

test('an external server: its credentials must be supplied, then are kept', (t) => {
  const spec = specOf(source, 'ext');
  const e = problemsOf(t, () => synth(spec, credentialSource({ environ: {} }), worldOf()));
  t.deepEqual(e.problems.map((p) => p.field).sort(), ['GEN_GITOPS_EXT_MINIO_ROOT_PASSWORD', 'GEN_GITOPS_EXT_MINIO_ROOT_USER']);
  t.regex(e.message, /external S3 endpoint https:\/\/s3\.example\.com/);
  const environ = { GEN_GITOPS_EXT_MINIO_ROOT_USER: 'AKIAEXTERNAL01', GEN_GITOPS_EXT_MINIO_ROOT_PASSWORD: 'external-secret-key-123' };
  const first = synth(spec, credentialSource({ environ }), worldOf());
  t.is(unsealObject(cert.keyPem, one(first, 'SealedSecret', 'mlflow-secrets-ext'))['AWS_ACCESS_KEY_ID'], 'AKIAEXTERNAL01');
  t.is(yamlOf(synth(spec, credentialSource({ environ: {} }), worldOf(first))), yamlOf(first));
});

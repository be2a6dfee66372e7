import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../generator/charts/environment.js';
import { knownSecretsOf, secretGuardProblems } from '../generator/check/secrets-guard.js';
import type { EnvironmentSpec } from '../generator/environment/types.js';
import { manifestFolder } from '../generator/render/serialize.js';
import { Layout } from '../generator/repo/layout.js';
import { credentialSource } from '../generator/secrets/credentials.js';
import { envYaml, makeSource, specOf, synth, worldOf } from './fixtures/secrets/env.js';
import { makeRsaCert } from './helpers/certs.js';

let dir: string;
let dev: EnvironmentSpec;
let stg: EnvironmentSpec;
let prod: EnvironmentSpec;

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'secrets-guard-test-'));
  const cert = makeRsaCert(dir, { days: 30 });
  const source = makeSource(
    {
      dev: envYaml('dev', { secrets: 'provider: plain', extra: 'allowPlaintextSecrets: true' }),
      stg: envYaml('stg', { secrets: `provider: sealed-secrets\nsealedSecrets:\n  certificate: ${cert.certPath}` }),
      prod: envYaml('prod', { secrets: 'provider: existing' }),
    },
    dir,
  );
  dev = specOf(source, 'dev');
  stg = specOf(source, 'stg');
  prod = specOf(source, 'prod');
});

test.after.always(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function rendered(spec: EnvironmentSpec, objects: KubeObject[]) {
  return manifestFolder(Layout.envManifests(spec.name), objects);
}

test('clean renders pass: plain Secrets where allowed, sealed elsewhere', (t) => {
  const creds = credentialSource({ environ: {} });
  const a = rendered(dev, synth(dev, creds, worldOf()));
  const b = rendered(stg, synth(stg, creds, worldOf()));
  const c = rendered(prod, synth(prod, creds, worldOf()));
  const objects = [...a.objects, ...b.objects, ...c.objects];
  const files = new Map([...a.files, ...b.files, ...c.files]);
  t.true(creds.knownValues().length >= 10, 'dev and stg values were handed out');
  t.deepEqual(secretGuardProblems(objects, [dev, stg, prod], knownSecretsOf(creds.handedOut()), files), []);
  t.deepEqual(secretGuardProblems(objects, [dev, stg, prod], creds.knownValues(), files), []);
});

test('a plaintext Secret in an environment that does not allow it is refused', (t) => {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mlflow-secrets-stg', namespace: 'mlflow-stg' }, type: 'Opaque', stringData: { A: 'x' } } as KubeObject;
  const problems = secretGuardProblems([{ path: 'envs/stg/manifests/secret-mlflow-secrets-stg.yaml', object: secret }], [dev, stg, prod], []);
  t.is(problems.length, 1);
  t.regex(problems[0]!.message, /Secret mlflow-stg\/mlflow-secrets-stg would commit credentials in plaintext.*environment 'stg' does not allow plain Secrets/);
  t.is(problems[0]!.field, 'envs/stg/manifests/secret-mlflow-secrets-stg.yaml');

  const inProd = { ...secret, data: { A: 'eA==' }, stringData: undefined } as unknown as KubeObject;
  t.regex(secretGuardProblems([{ path: 'envs/prod/manifests/x.yaml', object: inProd }], [dev, stg, prod], [])[0]!.message, /'prod' does not allow plain Secrets \(production\)/);
  // Outside any environment folder (e.g. cluster-resources) nothing allows it.
  t.regex(secretGuardProblems([{ path: 'cluster-resources/in-cluster/manifests/x.yaml', object: secret }], [dev, stg, prod], [])[0]!.message, /belongs to no environment/);
  // A Secret without data (e.g. a service-account token stub) is fine.
  const empty = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'y' }, type: 'Opaque' } as KubeObject;
  t.deepEqual(secretGuardProblems([{ path: 'envs/stg/manifests/x.yaml', object: empty }], [dev, stg, prod], []), []);
  // A production environment never allows plaintext, even if the flag slipped through.
  const prodAllowing = { ...prod, allowPlaintextSecrets: true };
  t.is(secretGuardProblems([{ path: 'envs/prod/manifests/x.yaml', object: inProd }], [prodAllowing], []).length, 1);
});

test('a secret value leaked into a ConfigMap (or any file) is refused without printing it', (t) => {
  const creds = credentialSource({ environ: {} });
  const objs = synth(stg, creds, worldOf());
  const pw = creds.value('stg', 'postgresPassword');
  const cm = objs.find((o) => o.kind === 'ConfigMap')! as KubeObject & { data: Record<string, string> };
  cm.data['MLFLOW_BACKEND_STORE_URI'] = `postgresql://mlflow:${pw}@stg-postgres.pgsql:5432/mlflow`;
  const folder = rendered(stg, objs);
  const problems = secretGuardProblems(folder.objects, [dev, stg, prod], knownSecretsOf(creds.handedOut()), folder.files);
  t.is(problems.length, 1);
  t.regex(problems[0]!.field!, /configmap-.*\.yaml: data\.MLFLOW_BACKEND_STORE_URI$/);
  t.regex(problems[0]!.message, /contains the stg PostgreSQL password \(generated\) inside a longer string/);
  for (const p of problems) t.false(JSON.stringify(p).includes(pw));

  // base64 in a ConfigMap's binaryData, and a value in a plain file (argocd.json, README...).
  const b64 = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'mlflow-stg' }, binaryData: { k: Buffer.from(pw).toString('base64') } } as KubeObject;
  t.regex(secretGuardProblems([{ path: 'envs/stg/manifests/c.yaml', object: b64 }], [stg], [pw])[0]!.message, /\(base64-encoded\)/);
  const files = new Map([['envs/stg/argocd.json', JSON.stringify({ password: pw })]]);
  const fileProblems = secretGuardProblems([], [stg], [pw], files);
  t.is(fileProblems.length, 1);
  t.is(fileProblems[0]!.field, 'envs/stg/argocd.json');
});

test('values may sit in the data of an allowed plain Secret, nowhere else', (t) => {
  const creds = credentialSource({ environ: {} });
  const objs = synth(dev, creds, worldOf());
  const folder = rendered(dev, objs);
  t.deepEqual(secretGuardProblems(folder.objects, [dev], creds.knownValues(), folder.files), []);
  // The same value in its metadata is a leak.
  const secret = objs.find((o) => o.kind === 'Secret')!;
  secret.metadata.annotations = { note: creds.value('dev', 'flaskSecretKey') };
  const again = rendered(dev, objs);
  const problems = secretGuardProblems(again.objects, [dev], creds.knownValues(), again.files);
  t.is(problems.length, 1);
  t.regex(problems[0]!.field!, /metadata\.annotations\.note$/);
});

test('short values are not searched for (they would match ordinary words)', (t) => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'mlflow-stg' }, data: { MLFLOW_AUTH_ADMIN_USER: 'admin' } } as KubeObject;
  t.deepEqual(secretGuardProblems([{ path: 'envs/stg/manifests/c.yaml', object: cm }], [stg], ['admin']), []);
});

test('a supplied MinIO root user is an identifier, not searched for; generated ones are', (t) => {
  const creds = credentialSource({ environ: { GEN_GITOPS_STG_MINIO_ROOT_USER: 'minio-stg-user' } });
  creds.value('stg', 'minioRootUser');
  creds.value('stg', 'postgresPassword');
  const known = knownSecretsOf(creds.handedOut());
  t.deepEqual(
    known.map((k) => k.label),
    ['stg PostgreSQL password (generated)'],
  );
  const gen = credentialSource({ environ: {} });
  gen.value('stg', 'minioRootUser');
  t.is(knownSecretsOf(gen.handedOut()).length, 1);
});

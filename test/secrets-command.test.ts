import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkManifests } from '../generator/check/schema.js';
import type { EnvironmentSpec } from '../generator/environment/types.js';
import { ExitCode, InputError, UsageError } from '../generator/errors.js';
import { secretsCommand } from '../generator/secrets/command.js';
import { CREDENTIALS, credentialEnvVar, credentialSource, suppliedCredentialProblems } from '../generator/secrets/credentials.js';
import { parseCredentialName, readSecretFiles } from '../generator/secrets/files.js';
import { envYaml, makeSource, specOf } from './fixtures/secrets/env.js';

let dir: string;
let stg: EnvironmentSpec;
let ext: EnvironmentSpec;
let sealed: EnvironmentSpec;

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'secrets-command-test-'));
  const source = makeSource(
    {
      stg: envYaml('stg', { secrets: 'provider: existing' }),
      'ext-pg': envYaml('ext-pg', { secrets: 'provider: existing', postgres: 'postgres:\n  mode: external\n  host: db.example.com\n  port: 5432' }),
      sealed: envYaml('sealed', { secrets: 'provider: sealed-secrets\nsealedSecrets:\n  certificate: cert.pem' }),
    },
    dir,
  );
  stg = specOf(source, 'stg');
  ext = specOf(source, 'ext-pg');
  sealed = specOf(source, 'sealed');
});

test.after.always(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Secret = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; type: string; stringData: Record<string, string> };

function parse(text: string): Secret[] {
  return parseAllDocuments(text).map((d) => {
    if (!('toJS' in d)) throw new Error('not a document');
    if (d.errors.length > 0) throw new Error(String(d.errors[0]));
    return d.toJS() as Secret;
  });
}

test('prints every Secret of the environment with strong values; shared credentials agree', async (t) => {
  const out = secretsCommand({ spec: stg, environ: {} });
  t.regex(out, /^# Secrets for environment stg/);
  t.regex(out, /kubectl create -f -/);
  const docs = parse(out);
  t.deepEqual(
    docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`),
    ['Secret mlflow-stg/mlflow-secrets-stg', 'Secret pgsql/stg-postgres-credentials', 'Secret pgsql/minio-stg-credentials'],
  );
  const [mlflow, pg, minio] = docs as [Secret, Secret, Secret];
  t.deepEqual(Object.keys(mlflow.stringData), ['MLFLOW_DB_PASSWORD', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'MLFLOW_AUTH_ADMIN_PASSWORD', 'MLFLOW_FLASK_SERVER_SECRET_KEY']);
  t.deepEqual(Object.keys(pg.stringData), ['POSTGRES_PASSWORD']);
  t.deepEqual(Object.keys(minio.stringData), ['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD']);
  t.is(pg.stringData['POSTGRES_PASSWORD'], mlflow.stringData['MLFLOW_DB_PASSWORD']);
  t.is(minio.stringData['MINIO_ROOT_USER'], mlflow.stringData['AWS_ACCESS_KEY_ID']);
  t.is(minio.stringData['MINIO_ROOT_PASSWORD'], mlflow.stringData['AWS_SECRET_ACCESS_KEY']);
  t.true(minio.stringData['MINIO_ROOT_PASSWORD']!.length >= 8);
  t.true(mlflow.stringData['MLFLOW_AUTH_ADMIN_PASSWORD']!.length > 12);
  t.true(mlflow.stringData['MLFLOW_DB_PASSWORD']!.length >= 32);
  for (const v of [...Object.values(mlflow.stringData)]) t.regex(v, /^[A-Za-z0-9]+$/);
  for (const d of docs) {
    t.is(d.type, 'Opaque');
    t.is(d.metadata.labels['app.kubernetes.io/instance'], undefined, 'no ArgoCD tracking label on an out-of-band Secret');
  }
  t.deepEqual(await checkManifests(docs.map((d) => ({ path: d.metadata.name, object: d as unknown as Record<string, unknown> }))), []);
  // Random each time.
  t.not(parse(secretsCommand({ spec: stg, environ: {} }))[0]!.stringData['MLFLOW_DB_PASSWORD'], mlflow.stringData['MLFLOW_DB_PASSWORD']);
});

test('supplied values are used as given, in every Secret that carries them', (t) => {
  const environ = { GEN_GITOPS_STG_POSTGRES_PASSWORD: 'operator-chosen-pw-1', GEN_GITOPS_STG_MINIO_ROOT_USER: 'mlflow' };
  const out = secretsCommand({ spec: stg, environ });
  const [mlflow, pg, minio] = parse(out) as [Secret, Secret, Secret];
  t.is(mlflow.stringData['MLFLOW_DB_PASSWORD'], 'operator-chosen-pw-1');
  t.is(pg.stringData['POSTGRES_PASSWORD'], 'operator-chosen-pw-1');
  t.is(minio.stringData['MINIO_ROOT_USER'], 'mlflow');
  t.regex(out, /# Supplied: GEN_GITOPS_STG_POSTGRES_PASSWORD, GEN_GITOPS_STG_MINIO_ROOT_USER;/);
});

test('too-short supplied values and missing external credentials are refused (exit 2)', (t) => {
  const short = t.throws(() => secretsCommand({ spec: stg, environ: { GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD: 'twelve-chars' } }), { instanceOf: InputError })!;
  t.is((short as InputError).exitCode, ExitCode.invalidInput);
  t.regex(short.message, /GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD: .*12 characters long; it needs at least 13/);
  t.false(short.message.includes('twelve-chars'));

  const e = t.throws(() => secretsCommand({ spec: ext, environ: {} }), { instanceOf: InputError })!;
  t.regex(e.message, /GEN_GITOPS_EXT_PG_POSTGRES_PASSWORD: .*external PostgreSQL at db\.example\.com/);
  const ok = parse(secretsCommand({ spec: ext, environ: { GEN_GITOPS_EXT_PG_POSTGRES_PASSWORD: 'the-dba-gave-me-this' } }));
  t.is(ok.length, 2, 'no PostgreSQL Secret for an external database');
  t.is(ok[0]!.stringData['MLFLOW_DB_PASSWORD'], 'the-dba-gave-me-this');
});

test('only for provider existing', (t) => {
  const e = t.throws(() => secretsCommand({ spec: sealed, environ: {} }), { instanceOf: UsageError })!;
  t.regex(e.message, /sealed-secrets provider/);
});

test('credential variable names', (t) => {
  t.deepEqual(
    CREDENTIALS.map((c) => credentialEnvVar('ext-pg', c)),
    [
      'GEN_GITOPS_EXT_PG_POSTGRES_PASSWORD',
      'GEN_GITOPS_EXT_PG_MINIO_ROOT_USER',
      'GEN_GITOPS_EXT_PG_MINIO_ROOT_PASSWORD',
      'GEN_GITOPS_EXT_PG_MLFLOW_ADMIN_PASSWORD',
      'GEN_GITOPS_EXT_PG_FLASK_SECRET_KEY',
    ],
  );
});

test('readSecretFiles: both name forms, one trailing newline stripped, clear errors', (t) => {
  const f1 = join(dir, 'pg.txt');
  const f2 = join(dir, 'admin.txt');
  const empty = join(dir, 'empty.txt');
  const short = join(dir, 'short.txt');
  writeFileSync(f1, 'from-a-file-password\n');
  writeFileSync(f2, 'admin password with spaces\r\n');
  writeFileSync(empty, '\n');
  writeFileSync(short, 'abc');
  t.deepEqual(readSecretFiles([`GEN_GITOPS_STG_POSTGRES_PASSWORD=${f1}`, `ext-pg.mlflow-admin-password=${f2}`], { knownEnvs: ['stg', 'ext-pg'] }), {
    GEN_GITOPS_STG_POSTGRES_PASSWORD: 'from-a-file-password',
    GEN_GITOPS_EXT_PG_MLFLOW_ADMIN_PASSWORD: 'admin password with spaces',
  });
  t.deepEqual(parseCredentialName('GEN_GITOPS_EXT_PG_FLASK_SECRET_KEY', ['ext-pg']), { env: 'ext-pg', id: 'flaskSecretKey' });
  t.deepEqual(parseCredentialName('stg.minioRootUser'), { env: 'stg', id: 'minioRootUser' });

  t.throws(() => readSecretFiles(['GEN_GITOPS_STG_POSTGRES_PASSWORD']), { instanceOf: UsageError, message: /expects <name>=<path>/ });
  const e = t.throws(
    () =>
      readSecretFiles(
        [
          `stg.postgresPasword=${f1}`,
          `GEN_GITOPS_STG_NOPE=${f1}`,
          `prod.postgresPassword=${f1}`,
          `stg.flaskSecretKey=${join(dir, 'missing.txt')}`,
          `stg.postgresPassword=${empty}`,
          `stg.minioRootPassword=${short}`,
          `stg.mlflowAdminPassword=${f2}`,
          `GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD=${f2}`,
        ],
        { knownEnvs: ['stg'] },
      ),
    { instanceOf: InputError },
  )! as InputError;
  t.is(e.exitCode, ExitCode.invalidInput);
  const messages = e.problems.map((p) => p.message);
  t.is(messages.length, 7);
  t.regex(messages[0]!, /unknown credential 'postgresPasword'/);
  t.regex(messages[1]!, /not a gen-gitops credential variable/);
  t.regex(messages[2]!, /unknown environment 'prod'/);
  t.regex(messages[3]!, /missing\.txt: no such file/);
  t.regex(messages[4]!, /empty\.txt is empty/);
  t.regex(messages[5]!, /at least 8 \(read from .*short\.txt\)/);
  t.regex(messages[6]!, /names GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD again/);
  t.false(e.message.includes('abc'));
});

test('credentialSource: supplied, kept, generated; tracks what it handed out', (t) => {
  const src = credentialSource({
    environ: { GEN_GITOPS_STG_POSTGRES_PASSWORD: 'supplied-password-1', GEN_GITOPS_STG_FLASK_SECRET_KEY: '' },
    kept: (_env, id) => (id === 'minioRootUser' ? 'kept-user' : undefined),
    generate: (id) => `generated-${id}-000000000000000000000000000000000`,
  });
  t.true(src.supplied('stg', 'postgresPassword'));
  t.false(src.supplied('stg', 'flaskSecretKey'), 'an empty variable supplies nothing');
  t.is(src.known('stg', 'minioRootUser'), 'kept-user');
  t.is(src.known('stg', 'flaskSecretKey'), undefined, 'known() never generates');
  t.is(src.value('stg', 'flaskSecretKey'), 'generated-flaskSecretKey-000000000000000000000000000000000');
  t.is(src.value('stg', 'postgresPassword'), 'supplied-password-1');
  t.deepEqual(
    src.handedOut().map((h) => [h.id, h.origin]),
    [
      ['minioRootUser', 'kept'],
      ['flaskSecretKey', 'generated'],
      ['postgresPassword', 'supplied'],
    ],
  );
  t.is(src.knownValues().length, 3);
  t.deepEqual(
    suppliedCredentialProblems({ GEN_GITOPS_STG_POSTGRES_PASSWORD: 'short', GEN_GITOPS_DEV_POSTGRES_PASSWORD: 'short' }, ['stg']).map((p) => p.field),
    ['GEN_GITOPS_STG_POSTGRES_PASSWORD'],
  );
});

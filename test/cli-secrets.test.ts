import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { git } from './helpers/git.js';
import { makeWorkspace, runCli, runIn } from './helpers/workspace.js';

test('gen-gitops secrets --env prints Secrets for the existing provider and writes nothing', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runCli(['secrets', '--env', 'stg', '--source', ws.source], { env: { GEN_GITOPS_STG_POSTGRES_PASSWORD: 'a-supplied-password-123' } });
  t.is(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout)
    .map((d) => ('toJS' in d ? (d.toJS() as any) : undefined))
    .filter(Boolean);
  t.deepEqual(docs.map((d) => `${d.metadata.namespace}/${d.metadata.name}`).sort(), [
    'mlflow-stg/mlflow-secrets-stg',
    'pgsql/minio-stg-credentials',
    'pgsql/stg-postgres-credentials',
  ]);
  const mlflow = docs.find((d) => d.metadata.name === 'mlflow-secrets-stg');
  const pg = docs.find((d) => d.metadata.name === 'stg-postgres-credentials');
  t.is(mlflow.stringData.MLFLOW_DB_PASSWORD, 'a-supplied-password-123');
  t.is(pg.stringData.POSTGRES_PASSWORD, 'a-supplied-password-123');
  t.true(mlflow.stringData.MLFLOW_AUTH_ADMIN_PASSWORD.length > 12);
});

test('--secret-file supplies a credential; a too-short supplied value is refused without echoing it', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  ws.writeEnv('dev', `${ws.readEnv('dev')}allowPlaintextSecrets: true\nsecrets:\n  provider: plain\n`);
  const file = join(ws.dir, 'pg.txt');
  writeFileSync(file, 'from-a-file-password-42\n');
  const r = await runIn(ws, ['--env', 'dev', '--secret-file', `dev.postgresPassword=${file}`]);
  t.is(r.code, 0, r.stderr);
  t.regex(git(ws.repo, 'show', 'HEAD:envs/dev/manifests/secret-dev-postgres-credentials.yaml'), /POSTGRES_PASSWORD: from-a-file-password-42\n/);
  const short = await runIn(ws, ['--env', 'dev'], { GEN_GITOPS_DEV_MLFLOW_ADMIN_PASSWORD: 'short-pw' });
  t.is(short.code, 2);
  t.regex(short.stderr, /GEN_GITOPS_DEV_MLFLOW_ADMIN_PASSWORD/);
  t.false(short.stderr.includes('short-pw'));
});

test('sealed-secrets: a relative certificate path resolves against the environment file, wherever gen-gitops runs', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const { makeRsaCert } = await import('./helpers/certs.js');
  const { mkdirSync, copyFileSync } = await import('node:fs');
  const cert = makeRsaCert(ws.dir);
  mkdirSync(join(ws.source, 'environments', 'certs'));
  copyFileSync(cert.certPath, join(ws.source, 'environments', 'certs', 'stg.pem'));
  ws.writeEnv('stg', `${ws.readEnv('stg')}secrets:\n  provider: sealed-secrets\n  sealedSecrets:\n    certificate: certs/stg.pem\n`);
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  const sealed = git(ws.repo, 'show', 'HEAD:envs/stg/manifests/sealedsecret-mlflow-secrets-stg.yaml');
  t.regex(sealed, /kind: SealedSecret/);
  t.regex(sealed, /encryptedData:\n(\s+[A-Z_]+: [A-Za-z0-9+/=]{100,}\n)*\s+MLFLOW_DB_PASSWORD: [A-Za-z0-9+/=]{100,}\n/);
  t.false(git(ws.repo, 'log', '-p').includes('stringData'));
  // Same input, same repo: the sealed values are kept byte for byte.
  const again = await runIn(ws, ['--env', 'stg']);
  t.regex(again.stdout, /up to date/);
});

import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { commitCount, git } from './helpers/git.js';
import { makeWorkspace, runIn } from './helpers/workspace.js';

const readSecret = (repo: string, env: string, name: string): any => parse(readFileSync(join(repo, `envs/${env}/manifests/secret-${name}.yaml`), 'utf8'));

test('plain provider: credentials generated once, shared where they must agree, kept on re-render', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  ws.writeEnv('dev', `${ws.readEnv('dev')}allowPlaintextSecrets: true\nsecrets:\n  provider: plain\n`);
  const r = await runIn(ws, ['--env', 'dev']);
  t.is(r.code, 0, r.stderr);
  const mlflow = readSecret(ws.repo, 'dev', 'mlflow-secrets-dev');
  const pg = readSecret(ws.repo, 'dev', 'dev-postgres-credentials');
  const minio = readSecret(ws.repo, 'dev', 'minio-dev-credentials');
  t.is(mlflow.metadata.namespace, 'mlflow-dev');
  t.is(pg.metadata.namespace, 'pgsql');
  t.is(mlflow.stringData.MLFLOW_DB_PASSWORD, pg.stringData.POSTGRES_PASSWORD);
  t.is(mlflow.stringData.AWS_ACCESS_KEY_ID, minio.stringData.MINIO_ROOT_USER);
  t.is(mlflow.stringData.AWS_SECRET_ACCESS_KEY, minio.stringData.MINIO_ROOT_PASSWORD);
  t.true(minio.stringData.MINIO_ROOT_PASSWORD.length >= 8);
  t.true(mlflow.stringData.MLFLOW_AUTH_ADMIN_PASSWORD.length > 12);
  t.is(mlflow.metadata.annotations['argocd.argoproj.io/sync-wave'], '-1');

  // Same input, same repo: the values survive, so a running database keeps its password.
  const again = await runIn(ws, ['--env', 'dev']);
  t.regex(again.stdout, /up to date/);
  t.deepEqual(readSecret(ws.repo, 'dev', 'mlflow-secrets-dev'), mlflow);
  t.is(commitCount(ws.repo), 1);

  // A supplied value replaces the kept one in every Secret that carries it.
  const supplied = await runIn(ws, ['--env', 'dev'], { GEN_GITOPS_DEV_POSTGRES_PASSWORD: 'supplied-password-1234' });
  t.is(supplied.code, 0, supplied.stderr);
  t.is(readSecret(ws.repo, 'dev', 'mlflow-secrets-dev').stringData.MLFLOW_DB_PASSWORD, 'supplied-password-1234');
  t.is(readSecret(ws.repo, 'dev', 'dev-postgres-credentials').stringData.POSTGRES_PASSWORD, 'supplied-password-1234');
  t.is(readSecret(ws.repo, 'dev', 'mlflow-secrets-dev').stringData.MLFLOW_FLASK_SERVER_SECRET_KEY, mlflow.stringData.MLFLOW_FLASK_SERVER_SECRET_KEY);
  t.regex(git(ws.repo, 'log', '-1', '--format=%B'), /~ envs\/dev\/manifests\/secret-mlflow-secrets-dev\.yaml/);
});

test('existing provider (the shipped default) writes no Secret at all', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runIn(ws, ['--all']);
  t.is(r.code, 0, r.stderr);
  t.false(
    git(ws.repo, 'ls-files')
      .split('\n')
      .some((f) => /\/secret-/.test(f)),
  );
  t.false(/kind: Secret\b/.test(git(ws.repo, 'log', '-p')));
});

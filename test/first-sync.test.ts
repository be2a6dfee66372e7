/**
 * Issue 13.9: the first sync of a new cluster converges on its own. The e2e
 * scenario "first sync of a new cluster, environment Application first" runs
 * it; these pin what the render must say for it.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { makeWorkspace, runIn } from './helpers/workspace.js';

test('issue 13.9: an environment Application targets its shared database namespace and creates it when missing', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runIn(ws, ['--all']);
  t.is(r.code, 0, r.stderr);
  for (const env of ['dev', 'stg', 'prod']) {
    const params = JSON.parse(readFileSync(join(ws.repo, 'envs', env, 'argocd.json'), 'utf8'));
    t.is(params.destination.namespace, 'pgsql', env);
  }
  for (const set of ['environments-automated', 'environments-manual']) {
    const o = parse(readFileSync(join(ws.repo, 'argocd', `applicationset-${set}.yaml`), 'utf8'));
    t.true(o.spec.template.spec.syncPolicy.syncOptions.includes('CreateNamespace=true'), set);
    t.is(o.spec.template.spec.destination.namespace, '{{destination.namespace}}');
  }
  const cluster = parse(readFileSync(join(ws.repo, 'argocd', 'applicationset-cluster-resources.yaml'), 'utf8'));
  t.true(cluster.spec.template.spec.syncPolicy.syncOptions.includes('CreateNamespace=false'));
  const readme = readFileSync(join(ws.repo, 'README.md'), 'utf8');
  t.regex(readme, /CreateNamespace=true`, so whichever Application syncs first creates that namespace/);
});

test('issue 13.9: an environment with external PostgreSQL and S3 keeps its own namespace as destination', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  ws.writeEnv(
    'stg',
    ws
      .readEnv('stg')
      .replace(/postgres:\n {2}name: stg-postgres\n {2}port: 5433\n/, 'postgres:\n  mode: external\n  host: db.example.com\n  port: 5432\n')
      .replace(/minio:\n {2}name: minio-stg\n?/, 'minio:\n  mode: external\n  endpoint: https://s3.example.com\n'),
  );
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(readFileSync(join(ws.repo, 'envs', 'stg', 'argocd.json'), 'utf8')).destination.namespace, 'mlflow-stg');
});

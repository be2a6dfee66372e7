import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, runCli, runIn } from './helpers/workspace.js';

test('gen-gitops --all then preview --output json: one Application per environment and one for the cluster', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--all'])).code, 0);
  const r = await runCli(['preview', '--repo', ws.repo, '--output', 'json']);
  t.is(r.code, 0, r.stderr);
  const apps = JSON.parse(r.stdout) as any[];
  t.deepEqual(
    apps.map((a) => a.metadata.name),
    ['mlflow-cluster-resources-in-cluster', 'mlflow-dev', 'mlflow-prod', 'mlflow-stg'],
  );
  for (const env of ['dev', 'stg', 'prod']) {
    const app = apps.find((a) => a.metadata.name === `mlflow-${env}`);
    t.is(app.spec.project, 'mlflow');
    t.is(app.spec.source.path, `envs/${env}/manifests`);
    t.is(app.spec.source.repoURL, 'https://github.com/example-org/mlflow-gitops.git');
    t.deepEqual(app.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'pgsql' });
    if (env === 'prod') t.is(app.spec.syncPolicy?.automated, undefined, 'prod syncs by hand');
    else t.deepEqual(app.spec.syncPolicy.automated, { prune: true, selfHeal: true });
  }
  const one = await runCli(['preview', '--repo', ws.repo, '--env', 'stg']);
  t.is(one.code, 0, one.stderr);
  t.regex(one.stdout, /name: mlflow-stg/);
  t.notRegex(one.stdout, /name: mlflow-dev/);
});

test('preview reports a destination the AppProject does not permit (exit 2)', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--all'])).code, 0);
  const params = join(ws.repo, 'envs/dev/argocd.json');
  const tampered = JSON.parse(readFileSync(params, 'utf8'));
  tampered.destination.namespace = 'kube-system';
  writeFileSync(params, JSON.stringify(tampered, null, 2));
  const r = await runCli(['preview', '--repo', ws.repo]);
  t.is(r.code, 2);
  t.regex(r.stderr, /kube-system/);
  t.regex(r.stderr, /error: Application mlflow-dev .*namespace 'kube-system' do not match any of the allowed destinations in project 'mlflow'/);
});

/**
 * Issue 13.4: rotation that works. The e2e scenario "rotate every credential"
 * proves it on real PostgreSQL, MinIO and MLflow; these pin what the render
 * must contain for it.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { makeWorkspace, runIn } from './helpers/workspace.js';

type Any = any;

function manifest(repo: string, file: string): Any {
  return parse(readFileSync(join(repo, 'envs', 'stg', 'manifests', file), 'utf8'));
}

const PODS = ['statefulset-stg-postgres.yaml', 'statefulset-minio-stg.yaml', 'deployment-mlflow.yaml'];

test('issue 13.4: raising secrets.rotation changes the pod template of every workload that reads credentials, and nothing else', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  const before = PODS.map((f) => manifest(ws.repo, f));
  for (const o of before) t.is(o.spec.template.metadata.annotations?.['gen-gitops.dev/credentials-rotation'], undefined);
  ws.writeEnv('stg', ws.readEnv('stg').replace('argocd:\n', 'secrets:\n  rotation: 1\nargocd:\n'));
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  for (const f of PODS) t.is(manifest(ws.repo, f).spec.template.metadata.annotations['gen-gitops.dev/credentials-rotation'], '1', f);
  // Only the three pod templates change: Secrets are not rendered by the existing provider.
  const changed = r.stdout
    .split('\n')
    .filter((l) => /^\s+~ /.test(l))
    .map((l) => l.trim().slice(2))
    .sort();
  t.deepEqual(changed, PODS.map((f) => `envs/stg/manifests/${f}`).sort(), r.stdout);
});

test("issue 13.4: PostgreSQL applies the Secret's password before every start, through stdin only", async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  const set = manifest(ws.repo, 'statefulset-stg-postgres.yaml');
  const [init] = set.spec.template.spec.initContainers;
  const [server] = set.spec.template.spec.containers;
  t.is(init.name, 'apply-password');
  t.is(init.image, server.image);
  t.deepEqual(init.command.slice(0, 2), ['bash', '-c']);
  t.regex(init.command[2], /ALTER ROLE/);
  t.regex(init.command[2], /\[ -s "\$PGDATA\/PG_VERSION" \] \|\| exit 0/, 'a new volume is left to the entrypoint');
  t.deepEqual(init.env, server.env, 'the same POSTGRES_* and PGDATA');
  t.deepEqual(init.volumeMounts.map((m: Any) => m.mountPath).sort(), server.volumeMounts.map((m: Any) => m.mountPath).sort());
  t.deepEqual(init.securityContext, server.securityContext);
  t.truthy(init.env.find((e: Any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef, 'password from the Secret by reference');
  t.false(init.command.join(' ').includes('POSTGRES_PASSWORD='), 'never assigned on a command line');
});

test('issue 13.4: the migration Job carries the admin user and password, so each sync sets the password', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  const job = manifest(ws.repo, 'job-mlflow-stg-db-upgrade.yaml');
  const names = job.spec.template.spec.containers[0].env.map((e: Any) => e.name);
  t.true(names.includes('MLFLOW_AUTH_ADMIN_USER') && names.includes('MLFLOW_AUTH_ADMIN_PASSWORD'));
  t.is(job.metadata.annotations['argocd.argoproj.io/hook-delete-policy'], 'BeforeHookCreation', 'recreated, so it runs on every sync');
});

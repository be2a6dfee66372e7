import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderedObjects } from '../generator/environment/cluster-rules.js';
import { loadInput } from '../generator/pipeline/input.js';
import { commitCount, snapshotTree } from './helpers/git.js';
import { makeWorkspace, runIn, type Workspace } from './helpers/workspace.js';

const edit = (ws: Workspace, env: string, from: string | RegExp, to: string) => {
  const before = ws.readEnv(env);
  const after = before.replace(from, to);
  if (after === before) throw new Error(`test edit did not apply to ${env}.yaml: ${String(from)}`);
  ws.writeEnv(env, after);
};

/**
 * A workspace whose config repo holds a committed render of every shipped
 * environment; `run` edits, runs `--all` (and `--env <first>`), and expects
 * exit 2 with every pattern, the config repo untouched.
 */
async function refused(
  t: {
    is: (a: unknown, b: unknown, m?: string) => void;
    regex: (s: string, r: RegExp, m?: string) => void;
    deepEqual: (a: unknown, b: unknown, m?: string) => void;
    teardown: (fn: () => void) => void;
  },
  change: (ws: Workspace) => void,
  expect: RegExp[],
  selections: string[][] = [['--all']],
) {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const first = await runIn(ws, ['--all']);
  t.is(first.code, 0, first.stderr);
  const before = snapshotTree(ws.repo);
  change(ws);
  for (const sel of selections) {
    const r = await runIn(ws, sel);
    t.is(r.code, 2, `${sel.join(' ')}: ${r.stdout}${r.stderr}`);
    for (const e of expect) t.regex(r.stderr, e, r.stderr);
    t.deepEqual(snapshotTree(ws.repo), before, 'nothing written');
    t.is(commitCount(ws.repo), 1);
  }
}

test('issue 14.7: clash checks use the API server: another cluster.name for the same server is refused, and so are the NodePort and namespace it would share', async (t) => {
  await refused(
    t,
    (ws) => {
      ws.writeEnv(
        'dev2',
        'name: dev2\nnamespace: mlflow-dev\ncluster:\n  name: other-name\n  server: https://KUBERNETES.default.svc:443/\nmlflow:\n  nodePort: 30502\npostgres:\n  name: dev2-postgres\n  port: 5434\nminio:\n  name: minio-dev2\n',
      );
    },
    [
      /environments\/dev2\.yaml:4:9: cluster\.name: 'other-name' names the API server https:\/\/KUBERNETES\.default\.svc:443\/, which environment 'dev' \(environments\/defaults\.yaml:\d+:\d+\) calls 'in-cluster'/,
      /environments\/dev2\.yaml:\d+:\d+: mlflow\.nodePort: NodePort 30502 is also used by environment 'dev'/,
      /environments\/dev2\.yaml:2:12: namespace: namespace 'mlflow-dev' is also used by environment 'dev'/,
    ],
    [['--all'], ['--env', 'dev2']],
  );
});

test('issue 14.8: an environment namespace is never a system namespace nor the shared database namespace', async (t) => {
  for (const ns of ['kube-system', 'kube-public', 'kube-node-lease', 'default', 'argocd']) {
    await refused(t, (ws) => edit(ws, 'stg', 'namespace: mlflow-stg', `namespace: ${ns}`), [new RegExp(`environments/stg\\.yaml:3:12: namespace: '${ns}' is a system namespace`)]);
  }
  await refused(
    t,
    (ws) => edit(ws, 'stg', 'namespace: mlflow-stg', 'namespace: pgsql'),
    [/environments\/stg\.yaml:3:12: namespace: 'pgsql' holds the databases of environment 'dev' \(postgres\.namespace, environments\/defaults\.yaml:\d+:\d+\)/],
    [['--all'], ['--env', 'stg']],
  );
  await refused(t, (ws) => edit(ws, 'stg', 'name: stg-postgres', 'name: stg-postgres\n  namespace: kube-system'), [
    /environments\/stg\.yaml:\d+:\d+: postgres\.namespace: 'kube-system' is a system namespace/,
  ]);
});

test('issue 14.9: two settings rendering the same kind/namespace/name are an input error, in one environment and across environments', async (t) => {
  // One environment: PostgreSQL in MLflow's namespace, named like MLflow's Service (was "unexpected error", exit 1).
  await refused(
    t,
    (ws) => edit(ws, 'dev', 'name: dev-postgres', 'name: mlflow\n  namespace: mlflow-dev'),
    [/environments\/dev\.yaml:\d+:9: postgres\.name: renders Service mlflow-dev\/mlflow, which is rendered by namespace \(environments\/dev\.yaml:3:12\) too/],
    [['--env', 'dev'], ['--all']],
  );
  // One environment: MinIO named like PostgreSQL's headless Service.
  await refused(
    t,
    (ws) => edit(ws, 'dev', 'name: minio-dev', 'name: dev-postgres-headless'),
    [/environments\/dev\.yaml:\d+:9: minio\.name: renders Service pgsql\/dev-postgres-headless, which is rendered by postgres\.name \(environments\/dev\.yaml:\d+:9\) too/],
    [['--env', 'dev']],
  );
  // Two environments: one Service owned by both (was exit 0).
  await refused(
    t,
    (ws) => edit(ws, 'stg', 'name: minio-stg', 'name: dev-postgres-headless'),
    [
      /environments\/stg\.yaml:\d+:9: minio\.name: renders Service pgsql\/dev-postgres-headless, which is rendered by environment 'dev' too \(postgres\.name, environments\/dev\.yaml:\d+:9\)/,
    ],
    [['--all'], ['--env', 'stg']],
  );
});

test('issue 14.10: values the API server rejects are refused: requests above limits, zero storage', async (t) => {
  await refused(
    t,
    (ws) =>
      edit(ws, 'stg', 'mlflow:\n  nodePort: 30501', 'mlflow:\n  nodePort: 30501\n  resources:\n    requests: { cpu: "2", memory: 512Mi }\n    limits: { cpu: 1500m, memory: 2Gi }'),
    [/environments\/stg\.yaml:\d+:\d+: mlflow\.resources\.requests\.cpu: 2 is above the cpu limit 1500m/],
  );
  await refused(
    t,
    (ws) => edit(ws, 'stg', 'name: stg-postgres', 'name: stg-postgres\n  resources:\n    requests: { cpu: 100m, memory: 3Gi }\n    limits: { cpu: 100m, memory: 3000Mi }'),
    [/environments\/stg\.yaml:\d+:\d+: postgres\.resources\.requests\.memory: 3Gi is above the memory limit 3000Mi/],
  );
  await refused(t, (ws) => edit(ws, 'stg', 'name: minio-stg', 'name: minio-stg\n  storage:\n    size: 0Gi'), [
    /environments\/stg\.yaml:\d+:\d+: minio\.storage\.size: 0Gi is not a size the API server accepts: .*greater than zero/,
  ]);
  // Equal request and limit is what the API server accepts (Guaranteed QoS).
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  edit(ws, 'stg', 'name: stg-postgres', 'name: stg-postgres\n  resources:\n    requests: { cpu: "1", memory: 1Gi }\n    limits: { cpu: 1000m, memory: 1024Mi }');
  const ok = await runIn(ws, ['--env', 'stg']);
  t.is(ok.code, 0, ok.stderr);
});

test('the object names the clash check derives are the objects the charts render', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  // Plain secrets render the Secrets too.
  edit(ws, 'dev', 'name: dev\n', 'name: dev\nallowPlaintextSecrets: true\nsecrets:\n  provider: plain\n');
  const r = await runIn(ws, ['--all']);
  t.is(r.code, 0, r.stderr);
  const input = loadInput(ws.source, [], true);
  for (const env of input.all) {
    const derived = new Set(renderedObjects(env.value).map((o) => `${o.kind}/${o.namespace}/${o.name}`));
    const dir = join(ws.repo, 'envs', env.name, 'manifests');
    t.true(existsSync(dir));
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml') && n !== 'kustomization.yaml')) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
        const o = doc.toJS() as { kind: string; metadata: { name: string; namespace?: string } };
        if (o.kind === 'Namespace') continue;
        const kind = o.kind === 'SealedSecret' || o.kind === 'ExternalSecret' ? 'Secret' : o.kind;
        t.true(
          derived.has(`${kind}/${o.metadata.namespace}/${o.metadata.name}`),
          `${env.name}: ${f} (${kind} ${o.metadata.namespace}/${o.metadata.name}) is not in renderedObjects()`,
        );
      }
    }
  }
});

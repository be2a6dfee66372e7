import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitCount, git, snapshotTree } from './helpers/git.js';
import { makeWorkspace, runCli, runIn } from './helpers/workspace.js';

test('--env stg creates the local config repo, writes only stg and its cluster folder, and commits', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /committed [0-9a-f]{12}/);
  t.is(commitCount(ws.repo), 1);
  const files = [...snapshotTree(ws.repo).keys()].sort();
  t.true(files.includes('envs/stg/manifests/deployment-mlflow.yaml'));
  t.true(files.includes('envs/stg/manifests/kustomization.yaml'));
  t.true(files.includes('cluster-resources/in-cluster/manifests/namespace-pgsql.yaml'));
  t.false(files.some((f) => f.startsWith('envs/dev/') || f.startsWith('envs/prod/')));
  const message = git(ws.repo, 'log', '-1', '--format=%B');
  t.regex(message, /^gen-gitops: render stg/);
  t.regex(message, /\+ envs\/stg\/manifests\/deployment-mlflow\.yaml/);
  t.is(git(ws.repo, 'status', '--porcelain').trim(), '', 'nothing left uncommitted');
  // kustomization lists exactly the object files of the folder
  const kustomization = readFileSync(join(ws.repo, 'envs/stg/manifests/kustomization.yaml'), 'utf8');
  const listed = [...kustomization.matchAll(/^ {2}- (.+)$/gm)].map((m) => m[1]);
  const inFolder = files.filter((f) => f.startsWith('envs/stg/manifests/') && !f.endsWith('kustomization.yaml')).map((f) => f.split('/').pop());
  t.deepEqual(listed, inFolder);
});

test('a re-run with no change writes nothing, commits nothing and says "up to date"', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  const head = git(ws.repo, 'rev-parse', 'HEAD');
  const before = snapshotTree(ws.repo);
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /up to date/);
  t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);
  t.deepEqual(snapshotTree(ws.repo), before);
});

test('commits work without any Git identity configured, with the default or --author', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const noIdentity = { HOME: ws.dir, XDG_CONFIG_HOME: join(ws.dir, 'xdg'), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const r = await runIn(ws, ['--env', 'dev'], noIdentity);
  t.is(r.code, 0, r.stderr);
  t.is(git(ws.repo, 'log', '-1', '--format=%an <%ae>').trim(), 'gen-gitops <gen-gitops@localhost>');
  const r2 = await runIn(ws, ['--env', 'stg', '--author', 'Platform Bot <bot@example.com>'], noIdentity);
  t.is(r2.code, 0, r2.stderr);
  t.is(git(ws.repo, 'log', '-1', '--format=%an <%ae>').trim(), 'Platform Bot <bot@example.com>');
});

test('two environments rendered separately or together give the same tree; renders are byte-identical across repos', async (t) => {
  const a = makeWorkspace();
  const b = makeWorkspace();
  t.teardown(() => {
    a.cleanup();
    b.cleanup();
  });
  t.is((await runIn(a, ['--env', 'dev'])).code, 0);
  t.is((await runIn(a, ['--env', 'stg'])).code, 0);
  t.is((await runIn(b, ['--env', 'dev', '--env', 'stg'])).code, 0);
  t.deepEqual(snapshotTree(a.repo), snapshotTree(b.repo));
});

test('--all renders every environment', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runIn(ws, ['--all']);
  t.is(r.code, 0, r.stderr);
  for (const env of ['dev', 'stg', 'prod']) t.true(existsSync(join(ws.repo, `envs/${env}/manifests/deployment-mlflow.yaml`)), env);
});

test('--dry-run prints the plan and writes nothing; --diff adds a unified diff', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const first = await runIn(ws, ['--env', 'stg', '--dry-run']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /would write \d+ files/);
  t.regex(first.stdout, /\+ envs\/stg\/manifests\/service-mlflow\.yaml/);
  t.false(existsSync(ws.repo), 'no config repo created by a dry run');

  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));
  const head = git(ws.repo, 'rev-parse', 'HEAD');
  const before = snapshotTree(ws.repo);
  const r = await runIn(ws, ['--env', 'stg', '--dry-run', '--diff']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /~ envs\/stg\/manifests\/service-mlflow\.yaml/);
  t.regex(r.stdout, /^--- a\/envs\/stg\/manifests\/service-mlflow\.yaml$/m);
  t.regex(r.stdout, /^-\s+nodePort: 30501$/m);
  t.regex(r.stdout, /^\+\s+nodePort: 30511$/m);
  t.deepEqual(snapshotTree(ws.repo), before);
  t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);
});

test('--check exits 3 when the config repo is out of date and 0 when it is current', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const stale = await runIn(ws, ['--env', 'stg', '--check']);
  t.is(stale.code, 3, stale.stdout + stale.stderr);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  t.is((await runIn(ws, ['--env', 'stg', '--check'])).code, 0);
});

test('files an environment no longer produces are removed, and only in its own folder', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--all'])).code, 0);
  // stg switches to an external MinIO: its MinIO objects must go, dev's and prod's stay.
  const stg = ws.readEnv('stg').replace(/minio:\n {2}name: minio-stg\n?/, 'minio:\n  mode: external\n  endpoint: https://minio.example.com\n');
  ws.writeEnv('stg', stg);
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /- envs\/stg\/manifests\/statefulset-minio-stg\.yaml/);
  t.false(existsSync(join(ws.repo, 'envs/stg/manifests/statefulset-minio-stg.yaml')));
  t.false(existsSync(join(ws.repo, 'envs/stg/manifests/job-mlflow-stg-bucket-setup.yaml')), 'an external S3 gets no bucket Job');
  t.true(existsSync(join(ws.repo, 'envs/dev/manifests/statefulset-minio-dev.yaml')));
  t.regex(readFileSync(join(ws.repo, 'envs/stg/manifests/configmap-mlflow-config-stg.yaml'), 'utf8'), /MLFLOW_S3_ENDPOINT_URL: https:\/\/minio\.example\.com/);
  t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
  t.is(commitCount(ws.repo), 2);
});

test('--help, --version and usage errors', async (t) => {
  const help = await runCli(['--help']);
  t.is(help.code, 0);
  for (const flag of ['--env', '--all', '--repo', '--dry-run', '--diff', '--check']) t.true(help.stdout.includes(flag), flag);
  const version = await runCli(['--version']);
  t.is(version.code, 0);
  t.regex(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
  const unknownFlag = await runCli(['--frobnicate']);
  t.is(unknownFlag.code, 2);
  t.regex(unknownFlag.stderr, /unknown option '--frobnicate'/);
  const none = await runCli([]);
  t.is(none.code, 2);
  t.regex(none.stderr, /--env <name> or use --all/);
});

test('an unknown environment name lists the known ones, exit 2', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runIn(ws, ['--env', 'qa']);
  t.is(r.code, 2);
  t.regex(r.stderr, /unknown environment 'qa'; known: dev, prod, stg/);
  t.false(existsSync(ws.repo));
});

test('validate checks every environment and its rendered objects', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runCli(['validate', '--source', ws.source]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /ok: 3 environments \(dev, prod, stg\), \d+ objects valid/);
  writeFileSync(ws.envFile('dev'), ws.readEnv('dev').replace('nodePort: 30502', 'nodePort: 80'));
  const bad = await runCli(['validate', '--source', ws.source]);
  t.is(bad.code, 2);
});

test('an MLflow image without the database and S3 drivers renders, with a warning naming the field', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  ws.writeEnv('dev', ws.readEnv('dev').replace('mlflow:\n', 'mlflow:\n  image:\n    repository: ghcr.io/mlflow/mlflow\n    tag: v3.6.0\n'));
  const r = await runIn(ws, ['--env', 'dev']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /warning: environments\/dev\.yaml:\d+:\d+: mlflow\.image\.tag: ghcr\.io\/mlflow\/mlflow:v3\.6\.0 is the plain image: it lacks psycopg2/);
  t.regex(r.stderr, /-full/);
});

import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitCount, git, snapshotTree } from './helpers/git.js';
import { binPath, makeWorkspace, runIn, type Workspace } from './helpers/workspace.js';

const withoutTxn = (tree: Map<string, string>) => new Map([...tree].filter(([p]) => !p.startsWith('.gen-gitops-txn')));

/** A committed render of every environment, then an edit to stg that the next run would write. */
async function preparedChange(ws: Workspace): Promise<{ before: Map<string, string>; after: Map<string, string>; head: string }> {
  const r = await runIn(ws, ['--all']);
  if (r.code !== 0) throw new Error(r.stderr);
  const before = snapshotTree(ws.repo);
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  ws.writeEnv(
    'stg',
    ws
      .readEnv('stg')
      .replace('nodePort: 30501', 'nodePort: 30511')
      .replace(/minio:\n {2}name: minio-stg\n?/, 'minio:\n  mode: external\n  endpoint: https://minio.example.com\n'),
  );
  // The state a successful run reaches, computed in a second workspace.
  const ref = makeWorkspace();
  try {
    ref.writeEnv('stg', ws.readEnv('stg'));
    const rr = await runIn(ref, ['--all']);
    if (rr.code !== 0) throw new Error(rr.stderr);
    return { before, after: snapshotTree(ref.repo), head };
  } finally {
    ref.cleanup();
  }
}

function runKilledAt(ws: Workspace, point: string, select: string[] = ['--env', 'stg']): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [binPath, ...select, '--source', ws.source, '--repo', ws.repo], {
      env: { ...process.env, GEN_GITOPS_TEST_CRASH_AT: point },
      stdio: 'ignore',
    });
    child.on('exit', (code, signal) => done({ code, signal }));
  });
}

for (const point of ['staged', 'swapping', 'swapped', 'committed']) {
  test(`SIGKILL at "${point}": the tree ends as it was or fully updated, and the next run succeeds`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    const { before, after, head } = await preparedChange(ws);
    const killed = await runKilledAt(ws, point);
    t.is(killed.signal, 'SIGKILL');

    const headNow = git(ws.repo, 'rev-parse', 'HEAD').trim();
    const tree = withoutTxn(snapshotTree(ws.repo));
    if (point === 'staged') t.deepEqual(tree, before, 'nothing touched before the swap');
    if (point === 'swapped') t.deepEqual(tree, after, 'all renames done');
    if (point === 'committed') {
      t.not(headNow, head);
      t.deepEqual(tree, after);
    } else {
      t.is(headNow, head, 'no commit before the commit step');
    }

    // Any next run first restores a consistent tree: here a read-only --check.
    const check = await runIn(ws, ['--env', 'stg', '--check']);
    const recovered = snapshotTree(ws.repo);
    t.false(
      [...recovered.keys()].some((p) => p.startsWith('.gen-gitops-txn')),
      'leftovers cleaned up',
    );
    if (point === 'committed') {
      t.deepEqual(recovered, after);
      t.is(check.code, 0);
    } else {
      t.deepEqual(recovered, before, 'an uncommitted write is rolled back');
      t.is(check.code, 3);
    }
    t.is(git(ws.repo, 'status', '--porcelain').trim(), '');

    const next = await runIn(ws, ['--env', 'stg']);
    t.is(next.code, 0, next.stderr);
    t.deepEqual(snapshotTree(ws.repo), after);
    t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
  });
}

// Folders that do not exist yet are staged whole and moved in with one rename each (a first
// write moves envs/ as a whole): a kill between those renames must be repaired too.
for (const [name, setup, select] of [
  ['the first write into an empty config repo', (ws: Workspace) => git(ws.dir, 'init', '-q', '-b', 'main', ws.repo), ['--all']],
  [
    'a new environment',
    async (ws: Workspace) => {
      const r = await runIn(ws, ['--all']);
      if (r.code !== 0) throw new Error(r.stderr);
      ws.writeEnv(
        'qa',
        ws
          .readEnv('stg')
          .replace(/\bstg\b/g, 'qa')
          .replace('nodePort: 30501', 'nodePort: 30503')
          .replace('port: 5433', 'port: 5435'),
      );
    },
    ['--env', 'qa'],
  ],
] as const) {
  test(`SIGKILL between the renames of ${name}: rolled back by the next run, then written whole`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    await setup(ws);
    const before = snapshotTree(ws.repo);
    const killed = await runKilledAt(ws, 'swapping', [...select]);
    t.is(killed.signal, 'SIGKILL');
    t.notDeepEqual(withoutTxn(snapshotTree(ws.repo)), before, 'killed half-way through the renames');
    const check = await runIn(ws, [...select, '--check']);
    t.is(check.code, 3, check.stderr);
    t.deepEqual(snapshotTree(ws.repo), before, 'rolled back, staging cleaned up');
    const next = await runIn(ws, [...select]);
    t.is(next.code, 0, next.stderr);
    t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
    t.is((await runIn(ws, [...select, '--check'])).code, 0);
  });
}

test('two runs on one config repo do not interleave: the second waits, or fails naming the holder', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'dev'])).code, 0);
  const holder = spawn(process.execPath, [binPath, '--env', 'stg', '--source', ws.source, '--repo', ws.repo], {
    env: { ...process.env, GEN_GITOPS_TEST_HOLD_LOCK_MS: '12000' },
    stdio: 'ignore',
  });
  const holderDone = new Promise<number | null>((r) => holder.on('exit', (c) => r(c)));
  // wait until it holds the lock
  for (let i = 0; i < 100 && !existsSync(join(ws.repo, '.git', 'gen-gitops.lock.holder')); i++) await new Promise((r) => setTimeout(r, 50));
  const impatient = await runIn(ws, ['--env', 'prod', '--lock-timeout', '1']);
  t.is(impatient.code, 1);
  t.regex(impatient.stderr, new RegExp(`locked by process ${holder.pid} on .+gen-gitops --env stg`));
  const patient = await runIn(ws, ['--env', 'prod', '--lock-timeout', '60']);
  t.is(patient.code, 0, patient.stderr);
  t.is(await holderDone, 0);
  t.is(commitCount(ws.repo), 3, 'dev, stg, prod: each run committed on its own');
  t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
});

test('uncommitted changes stop the run (exit 2, files named); --force overwrites only inside gen-gitops folders', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));
  const svc = join(ws.repo, 'envs/stg/manifests/service-mlflow.yaml');
  writeFileSync(svc, `${'# hand edit\n'}${snapshotTree(ws.repo).get('envs/stg/manifests/service-mlflow.yaml')}`);
  const stopped = await runIn(ws, ['--env', 'stg']);
  t.is(stopped.code, 2);
  t.regex(stopped.stderr, /uncommitted changes[\s\S]*envs\/stg\/manifests\/service-mlflow\.yaml[\s\S]*--force/);
  t.regex(snapshotTree(ws.repo).get('envs/stg/manifests/service-mlflow.yaml')!, /# hand edit/, 'the edit is still there');

  mkdirSync(join(ws.repo, 'docs'));
  writeFileSync(join(ws.repo, 'docs/notes.md'), 'my notes\n');
  const foreign = await runIn(ws, ['--env', 'stg', '--force']);
  t.is(foreign.code, 2, "people's files outside gen-gitops folders are never forced");
  t.regex(foreign.stderr, /docs\/notes\.md/);
  t.notRegex(foreign.stderr, /service-mlflow/);

  git(ws.repo, 'add', 'docs/notes.md');
  git(ws.repo, '-c', 'user.name=A', '-c', 'user.email=a@example.com', 'commit', '--quiet', '-m', 'notes', '--', 'docs/notes.md');
  const forced = await runIn(ws, ['--env', 'stg', '--force']);
  t.is(forced.code, 0, forced.stderr);
  const now = snapshotTree(ws.repo).get('envs/stg/manifests/service-mlflow.yaml')!;
  t.notRegex(now, /# hand edit/);
  t.regex(now, /nodePort: 30511/);
  t.is(snapshotTree(ws.repo).get('docs/notes.md'), 'my notes\n');
  t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
});

test('a committed hand edit in a generated file is overwritten and named as such', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  const rel = 'envs/stg/manifests/service-mlflow.yaml';
  writeFileSync(join(ws.repo, rel), snapshotTree(ws.repo).get(rel)!.replace('nodePort: 30501', 'nodePort: 31999'));
  git(ws.repo, '-c', 'user.name=A', '-c', 'user.email=a@example.com', 'commit', '--quiet', '-am', 'hotfix: move the NodePort');
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /overwrote a manual change: envs\/stg\/manifests\/service-mlflow\.yaml/);
  t.regex(git(ws.repo, 'log', '-1', '--format=%B'), /Overwrote a manual change[\s\S]*! envs\/stg\/manifests\/service-mlflow\.yaml/);
  t.regex(snapshotTree(ws.repo).get(rel)!, /nodePort: 30501/);
});

import test from 'ava';
import { committedWithPendingChange } from './helpers/pending.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitCount, git, snapshotTree } from './helpers/git.js';
import { binPath, makeWorkspace, runIn, type Workspace } from './helpers/workspace.js';

test('issue 14.11: a failure during the swap (a file named envs/stg where the folder goes) rolls back everything; a re-run fails the same clean way', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  mkdirSync(ws.repo);
  git(ws.repo, 'init', '--quiet', '--initial-branch=main');
  mkdirSync(join(ws.repo, 'envs'));
  writeFileSync(join(ws.repo, 'envs', 'stg'), 'someone committed a file here\n');
  git(ws.repo, 'add', 'envs');
  git(ws.repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'a file named envs');
  const before = snapshotTree(ws.repo);
  for (let i = 0; i < 2; i++) {
    const r = await runIn(ws, ['--env', 'stg']);
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, /could not move envs\/stg\S* into place.*rolled back/);
    t.notRegex(r.stderr, /unexpected|uncommitted/);
    t.deepEqual(snapshotTree(ws.repo), before, 'README.md, argocd/, cluster-resources/ are not left behind');
    t.false(existsSync(join(ws.repo, '.gen-gitops-txn')));
    t.is(git(ws.repo, 'status', '--porcelain', '--untracked-files=all').trim(), '');
    t.is(commitCount(ws.repo), 1);
  }
});

function killedAt(ws: Workspace, point: string): Promise<NodeJS.Signals | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [binPath, '--env', 'stg', '--source', ws.source, '--repo', ws.repo], {
      env: { ...process.env, GEN_GITOPS_TEST_CRASH_AT: point },
      stdio: 'ignore',
    });
    child.on('exit', (_code, signal) => done(signal));
  });
}

test('issue 14.12: SIGKILL between git update-index and the HEAD move: the next run restores index and tree, and the run after commits', async (t) => {
  const { ws, before, head } = await committedWithPendingChange(t);
  t.is(await killedAt(ws, 'indexed'), 'SIGKILL');
  t.is(git(ws.repo, 'rev-parse', 'HEAD').trim(), head, 'HEAD did not move');
  t.not(git(ws.repo, 'diff', '--cached', '--name-only').trim(), '', 'the kill left paths staged');

  const check = await runIn(ws, ['--env', 'stg', '--check']);
  t.is(check.code, 3, check.stderr);
  t.deepEqual(new Map([...snapshotTree(ws.repo)].filter(([p]) => !p.startsWith('.gen-gitops-txn'))), before, 'tree rolled back');
  t.is(git(ws.repo, 'status', '--porcelain', '--untracked-files=all').trim(), '', 'index restored too');

  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /committed/);
  t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
});

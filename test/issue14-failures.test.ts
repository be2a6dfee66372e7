import test from 'ava';
import { committedWithPendingChange } from './helpers/pending.js';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { commitCount, git, snapshotTree } from './helpers/git.js';
import { runBounded } from './helpers/bounded.js';
import { makeWorkspace } from './helpers/workspace.js';

for (const [what, block] of [
  ['ENOSPC (the stream file is /dev/full)', (file: string) => symlinkSync('/dev/full', file)],
  ['EISDIR (a folder where the stream file goes)', (file: string) => mkdirSync(file)],
] as const) {
  test(`issue 14.4: ${what} while writing the fast-import stream: exit 1 with a message, the process ends, the tree is clean`, async (t) => {
    const { ws, before, head } = await committedWithPendingChange(t);
    const file = join(ws.repo, '.git', 'gen-gitops', 'commit.fast-import');
    mkdirSync(join(ws.repo, '.git', 'gen-gitops'), { recursive: true });
    block(file);
    const r = await runBounded(ws, ['--env', 'stg']);
    t.false(r.hung, 'the process exits');
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, /commit stream/);
    t.notRegex(r.stderr, /unexpected error|\n\s+at /);
    t.false(existsSync(join(ws.repo, '.gen-gitops-txn')), 'no staging folder left');
    t.deepEqual(snapshotTree(ws.repo), before);
    t.is(git(ws.repo, 'rev-parse', 'HEAD').trim(), head);
    t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
  });
}

test("issue 14.2: two first runs on a new path, one failing while rendering: the other run's commit stays", async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  // The failing run takes the lock first (and creates the repository), holds it long enough for the
  // other run to start and wait for it, then fails on bad input.
  const failing = runBounded(ws, ['--env', 'dev'], { GEN_GITOPS_DEV_POSTGRES_PASSWORD: 'short', GEN_GITOPS_TEST_HOLD_LOCK_MS: '6000' });
  const deadline = Date.now() + 20_000;
  while (!existsSync(join(ws.repo, '.git', 'gen-gitops.lock')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const good = runBounded(ws, ['--env', 'stg']);
  const [bad, ok] = await Promise.all([failing, good]);
  t.is(bad.code, 2, bad.stderr);
  t.is(ok.code, 0, ok.stderr);
  t.notRegex(ok.stderr, /unexpected error/);
  t.is(commitCount(ws.repo), 1, "the successful run's commit is there");
  t.true(existsSync(join(ws.repo, 'envs', 'stg', 'argocd.json')));
  t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
});

test('issue 14.2: a failing first run alone still leaves no config repo behind', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runBounded(ws, ['--env', 'dev'], { GEN_GITOPS_DEV_POSTGRES_PASSWORD: 'short' });
  t.is(r.code, 2, r.stderr);
  t.false(existsSync(ws.repo));
});

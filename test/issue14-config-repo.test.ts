import test from 'ava';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitCount, git } from './helpers/git.js';
import { makeWorkspace, runCli, runIn, type Workspace } from './helpers/workspace.js';

const bump = (ws: Workspace, n: number) => ws.writeEnv('stg', ws.readEnv('stg').replace(/nodePort: \d+/, `nodePort: ${30511 + n}`));

test('issue 14.19: a linked worktree (.git is a file) works as config repo', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const main = join(ws.dir, 'main');
  mkdirSync(main);
  git(main, 'init', '--quiet', '--initial-branch=main');
  git(main, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '--allow-empty', '-m', 'init');
  const linked = join(ws.dir, 'linked');
  git(main, 'worktree', 'add', '--quiet', '-b', 'config', linked);
  const run = (args: string[]) => runCli([...args, '--source', ws.source, '--repo', linked]);
  const first = await run(['--env', 'stg']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /committed/);
  t.is(git(linked, 'log', '-1', '--format=%s', 'config').trim(), 'gen-gitops: render stg');
  t.is(git(linked, 'status', '--porcelain').trim(), '');
  t.false(existsSync(join(main, 'envs')), 'the main worktree is untouched');
  bump(ws, 1);
  t.is((await run(['--env', 'stg'])).code, 0);
  t.regex((await run(['--env', 'stg'])).stdout, /up to date/);
  t.is((await run(['--env', 'stg', '--check'])).code, 0);
  t.is(git(linked, 'rev-list', '--count', 'config').trim(), '3');
});

test('issue 14.20: a detached HEAD in the config repo is refused (exit 2) unless --force', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  git(ws.repo, 'checkout', '--quiet', '--detach', 'HEAD');
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  bump(ws, 2);
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /detached HEAD/);
  t.true(r.stderr.includes(ws.repo));
  t.is(git(ws.repo, 'rev-parse', 'HEAD').trim(), head, 'nothing committed');
  t.is(git(ws.repo, 'status', '--porcelain').trim(), '');
  const forced = await runIn(ws, ['--env', 'stg', '--force']);
  t.is(forced.code, 0, forced.stderr);
  t.regex(forced.stdout, /committed/);
});

test('issue 14.21: an author name git commit accepts (Ops <team>) works with fast-import, written as git commit writes it', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
  git(ws.repo, 'config', 'user.name', 'Ops <team>');
  git(ws.repo, 'config', 'user.email', 'ops@example.com');
  const expected = git(ws.repo, 'var', 'GIT_AUTHOR_IDENT')
    .trim()
    .replace(/ \d+ [+-]\d{4}$/, '');
  bump(ws, 3);
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 0, r.stderr);
  t.is(git(ws.repo, 'log', '-1', '--format=%an <%ae>').trim(), expected);
  t.is(git(ws.repo, 'log', '-1', '--format=%cn <%ce>').trim(), expected);
  t.is(expected, 'Ops team <ops@example.com>');
  t.is(git(ws.repo, 'fsck', '--no-progress').trim(), '');
});

for (const path of ['fast-import', 'git commit'] as const) {
  test(`issue 14.24: the config repo's hooks do not run (${path})`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    t.is((await runIn(ws, ['--env', 'stg'])).code, 0);
    const marks = join(ws.dir, 'hooks-ran');
    mkdirSync(marks);
    for (const hook of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'reference-transaction', 'post-index-change']) {
      const file = join(ws.repo, '.git', 'hooks', hook);
      writeFileSync(file, `#!/bin/sh\ntouch "${marks}/${hook}"\nexit 1\n`);
      chmodSync(file, 0o755);
    }
    // Attributes make gen-gitops commit with `git commit` instead of fast-import.
    if (path === 'git commit') writeFileSync(join(ws.repo, '.git', 'info', 'attributes'), '*.yaml text\n');
    bump(ws, 4);
    const r = await runIn(ws, ['--env', 'stg']);
    t.is(r.code, 0, r.stderr);
    t.is(commitCount(ws.repo), 2);
    t.deepEqual(readdirSync(marks), [], 'no hook left a mark');
  });
}

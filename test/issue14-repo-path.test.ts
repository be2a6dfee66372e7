import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitCount, git } from './helpers/git.js';
import { makeWorkspace, runCli, type Workspace } from './helpers/workspace.js';

/** The workspace's source folder as a real checkout of the tool's repository, with its own README. */
function sourceCheckout(ws: Workspace): void {
  writeFileSync(join(ws.source, 'README.md'), '# the tool\n');
  writeFileSync(join(ws.source, '.gitignore'), 'gitops/\n');
  git(ws.source, 'init', '--quiet', '--initial-branch=main');
  git(ws.source, 'add', '.');
  git(ws.source, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'source');
}

for (const [title, repo] of [
  ['--repo "" (an unset variable)', ''],
  ['--repo . inside the source', '.'],
  ['--repo naming a folder of the source', 'environments'],
  ['--repo containing the source', '..'],
] as const) {
  test(`issue 14.3: ${title} is refused with exit 2; the source repository is untouched`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    sourceCheckout(ws);
    const r = await runCli(['--env', 'dev', '--source', '.', '--repo', repo], { cwd: ws.source });
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /--repo/);
    t.notRegex(r.stderr, /unexpected/);
    t.is(readFileSync(join(ws.source, 'README.md'), 'utf8'), '# the tool\n');
    t.is(commitCount(ws.source), 1);
    t.is(git(ws.source, 'status', '--porcelain').trim(), '');
  });
}

test('issue 14.3: the default ./gitops, ignored by the source repository, still works', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  sourceCheckout(ws);
  const r = await runCli(['--env', 'dev', '--source', '.'], { cwd: ws.source });
  t.is(r.code, 0, r.stderr);
  t.is(commitCount(join(ws.source, 'gitops')), 1);
  t.is(commitCount(ws.source), 1);
  t.is(readFileSync(join(ws.source, 'README.md'), 'utf8'), '# the tool\n');
});

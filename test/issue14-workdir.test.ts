import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './helpers/git.js';
import { makeWorkspace, runCli, type Workspace } from './helpers/workspace.js';

function bareRemote(ws: Workspace): string {
  const path = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  return `file://${path}`;
}

const push = (ws: Workspace, remote: string, workdir: string) => runCli(['--env', 'dev', '--push', '--source', ws.source, '--repo', remote, '--workdir', workdir]);

test("issue 14.1: --workdir naming a folder of someone's files (no .git) is refused, the files stay", async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = bareRemote(ws);
  const mine = join(ws.dir, 'my-notes');
  mkdirSync(mine);
  writeFileSync(join(mine, 'thesis.txt'), 'three years of work\n');
  const r = await push(ws, remote, mine);
  t.is(r.code, 2, r.stderr);
  t.true(r.stderr.includes(mine), r.stderr);
  t.notRegex(r.stderr, /unexpected|\n\s+at /);
  t.is(readFileSync(join(mine, 'thesis.txt'), 'utf8'), 'three years of work\n');
  t.false(existsSync(join(mine, '.git')));
});

test("issue 14.1: --workdir naming another project's checkout is refused: origin and uncommitted work untouched", async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = bareRemote(ws);
  const project = join(ws.dir, 'project');
  mkdirSync(project);
  git(project, 'init', '--quiet', '--initial-branch=main');
  git(project, 'remote', 'add', 'origin', 'https://example.com/other.git');
  writeFileSync(join(project, 'a.txt'), 'committed\n');
  git(project, 'add', 'a.txt');
  git(project, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'x');
  writeFileSync(join(project, 'a.txt'), 'uncommitted edit\n');
  writeFileSync(join(project, 'new.txt'), 'untracked\n');
  const r = await push(ws, remote, project);
  t.is(r.code, 2, r.stderr);
  t.true(r.stderr.includes(project), r.stderr);
  t.is(git(project, 'remote', 'get-url', 'origin').trim(), 'https://example.com/other.git');
  t.is(readFileSync(join(project, 'a.txt'), 'utf8'), 'uncommitted edit\n');
  t.is(readFileSync(join(project, 'new.txt'), 'utf8'), 'untracked\n');
});

test("issue 14.1: a new or empty --workdir is gen-gitops's own: used, then used again", async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = bareRemote(ws);
  const fresh = join(ws.dir, 'new-workdir');
  t.is((await push(ws, remote, fresh)).code, 0);
  ws.writeEnv(
    'dev',
    ws.readEnv('dev').replace(/nodePort: (\d+)/, (_m, n: string) => `nodePort: ${Number(n) + 7}`),
  );
  const again = await push(ws, remote, fresh);
  t.is(again.code, 0, again.stderr);
  const empty = join(ws.dir, 'empty');
  mkdirSync(empty);
  t.is((await push(ws, remote, empty)).code, 0);
});

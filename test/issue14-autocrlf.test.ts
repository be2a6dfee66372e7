import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitCount, git } from './helpers/git.js';
import { makeWorkspace, runCli, runIn } from './helpers/workspace.js';

test('issue 14.13: a core.autocrlf=true clone is compared as git sees it: --check exits 0, a write run changes nothing, a real change commits', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--all'])).code, 0);
  const clone = join(ws.dir, 'clone');
  execFileSync('git', ['clone', '--quiet', '-c', 'core.autocrlf=true', ws.repo, clone]);
  const file = join(clone, 'envs', 'stg', 'manifests', 'kustomization.yaml');
  t.true(readFileSync(file, 'utf8').includes('\r\n'), 'git checked the files out with CRLF');
  const run = (args: string[]) => runCli([...args, '--source', ws.source, '--repo', clone]);

  const check = await run(['--all', '--check']);
  t.is(check.code, 0, check.stdout + check.stderr);
  const write = await run(['--all']);
  t.is(write.code, 0, write.stderr);
  t.regex(write.stdout, /up to date/);
  t.true(readFileSync(file, 'utf8').includes('\r\n'), 'files were not rewritten');
  t.is(git(clone, 'status', '--porcelain').trim(), '');
  t.is(commitCount(clone), 1);

  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));
  const change = await run(['--env', 'stg']);
  t.is(change.code, 0, change.stderr);
  t.regex(change.stdout, /committed/);
  t.is(commitCount(clone), 2);
  t.is(git(clone, 'status', '--porcelain').trim(), '');
  t.is((await run(['--all', '--check'])).code, 0);
});

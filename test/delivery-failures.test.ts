import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeGitHub, workspaceWithGitHub } from './helpers/fake-github.js';
import { git } from './helpers/git.js';
import { runCli, type Workspace } from './helpers/workspace.js';

const TOKEN = 'ghp_deliveryFailuresToken0123456789';

function bareRemote(ws: Workspace): { url: string; path: string } {
  const path = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  return { url: `file://${path}`, path };
}

/** A pre-receive hook that prints `lines` and declines; every call is counted in `calls`. */
function declineWith(remote: string, lines: string[], opts: { onlyFirst?: boolean } = {}): string {
  const calls = join(remote, 'hook-calls');
  const hook = join(remote, 'hooks', 'pre-receive');
  const printed = lines.map((l) => `echo ${JSON.stringify(l)} >&2`).join('\n');
  const gate = opts.onlyFirst ? `[ -f ${JSON.stringify(`${calls}`)} ] && { echo x >> ${JSON.stringify(calls)}; exit 0; }\n` : '';
  writeFileSync(hook, `#!/bin/sh\n${gate}echo x >> ${JSON.stringify(calls)}\n${printed}\nexit 1\n`);
  chmodSync(hook, 0o755);
  return calls;
}

const callCount = (calls: string) => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').length : 0);
const refs = (bare: string) => git(bare, 'for-each-ref', '--format=%(refname)').trim();

async function withGitHub(t: { teardown(fn: () => Promise<void>): void }) {
  const { ws, gh } = await workspaceWithGitHub(t, TOKEN);
  const remote = bareRemote(ws);
  const workdir = join(ws.dir, 'workdir');
  const run = (mode: '--pr' | '--push', env = 'stg') =>
    runCli(['--env', env, mode, '--source', ws.source, '--repo', remote.url, '--workdir', workdir, '--github-repo', 'acme/config', '--github-api-url', gh.url], {
      env: { GITHUB_TOKEN: TOKEN },
    });
  return { ws, gh, remote, workdir, run };
}

const posts = (gh: FakeGitHub) => gh.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH');

test('issue 14.15: a GitHub answer without default_branch, or malformed JSON, fails with exit 1 naming the API URL; nothing is pushed or requested', async (t) => {
  const { gh, remote, run } = await withGitHub(t);
  const repoPath = '/repos/acme/config';
  for (const body of [
    '{"id":1,"name":"config","full_name":"acme/config"}',
    '{"id":1,"default_branch":"main"',
    '<html>proxy login</html>',
    '{"default_branch":"--upload-pack=x"}',
  ]) {
    gh.setIntercept((r) => (r.method === 'GET' && r.path === repoPath ? { status: 200, body } : undefined));
    const r = await run('--pr');
    t.is(r.code, 1, `${body}: ${r.stdout}${r.stderr}`);
    t.true(r.stderr.includes(`GET ${gh.url}${repoPath}`), r.stderr);
    t.regex(r.stderr, /default_branch/);
    t.notRegex(r.stdout, /pull request #|pushed/);
    t.is(refs(remote.path), '', 'no orphan branch pushed');
    t.deepEqual(posts(gh), [], 'no pull request requested');
    t.false(r.stderr.includes(TOKEN));
  }
});

test('issue 14.15: a malformed answer to opening the pull request is a failure, never "opened"', async (t) => {
  const { gh, run } = await withGitHub(t);
  gh.setIntercept((r) => (r.method === 'POST' ? { status: 201, body: '{"message":"ok"}' } : undefined));
  const r = await run('--pr');
  t.is(r.code, 1, r.stdout + r.stderr);
  t.notRegex(r.stdout, /pull request #/);
  t.true(r.stderr.includes(`POST ${gh.url}/repos/acme/config/pulls`), r.stderr);
});

test('issue 14.16: a protected branch (GH006) is told apart: exit 1, says so, no "run again", no retries, no gen-gitops/unpushed-* branch', async (t) => {
  const { remote, workdir, run } = await withGitHub(t);
  const calls = declineWith(remote.path, ['error: GH006: Protected branch update failed for refs/heads/main.', 'error: Changes must be made through a pull request.']);
  const r = await run('--push');
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /branch main is protected/);
  t.regex(r.stderr, /remote: error: GH006: Protected branch update failed/);
  t.regex(r.stderr, /--pr/);
  t.notRegex(r.stderr, /run again|kept moving/);
  t.is(callCount(calls), 1, 'declined once, not retried');
  t.is(git(workdir, 'branch', '--list', 'gen-gitops/unpushed-*').trim(), '');
  t.is(refs(remote.path), '');
});

test('issue 14.16: a pre-receive hook that declines is reported with its own message, without retries or leftover branches', async (t) => {
  const { remote, workdir, run } = await withGitHub(t);
  const calls = declineWith(remote.path, ['policy: every commit needs a JIRA ticket in its message']);
  const r = await run('--push');
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /hook on the remote declined the push \(pre-receive hook declined\)/);
  t.regex(r.stderr, /remote: policy: every commit needs a JIRA ticket/);
  t.notRegex(r.stderr, /run again|kept moving/);
  t.is(callCount(calls), 1);
  t.is(git(workdir, 'branch', '--list', 'gen-gitops/unpushed-*').trim(), '');
});

test('issue 14.16: an empty remote works: after a declined first push the next run pushes; --pr gets a base commit first', async (t) => {
  const { ws, gh, remote, run } = await withGitHub(t);
  // The first push to the empty remote is declined; the working clone keeps a local commit on main.
  declineWith(remote.path, ['error: try later'], { onlyFirst: true });
  t.is((await run('--push')).code, 1);
  const again = await run('--push');
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /pushed [0-9a-f]{12} to main/);
  t.notRegex(again.stderr, /already exists/);

  // --pr against another, empty remote: main gets an empty first commit, the PR goes into it.
  const empty = join(ws.dir, 'empty.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', empty]);
  const pr = await runCli(
    [
      '--env',
      'stg',
      '--pr',
      '--source',
      ws.source,
      '--repo',
      `file://${empty}`,
      '--workdir',
      join(ws.dir, 'workdir-empty'),
      '--github-repo',
      'acme/config',
      '--github-api-url',
      gh.url,
    ],
    { env: { GITHUB_TOKEN: TOKEN } },
  );
  t.is(pr.code, 0, pr.stderr);
  t.regex(pr.stdout, /pull request #1 opened/);
  t.is(git(empty, 'ls-tree', '-r', '--name-only', 'main').trim(), '', 'the base is an empty first commit');
  t.is(git(empty, 'rev-parse', 'gen-gitops/stg^').trim(), git(empty, 'rev-parse', 'main').trim());
  t.is(gh.pulls[0]!.base.ref, 'main');
});

test('issue 14.25: a rate-limit reset far in the future fails at once (exit 1) with the reset time, without retries or a push', async (t) => {
  const { gh, remote, run } = await withGitHub(t);
  gh.setFailure({ kind: 'rate-limit', resetInSeconds: 50 * 60 });
  const started = Date.now();
  const r = await run('--pr');
  const seconds = (Date.now() - started) / 1000;
  t.is(r.code, 1, r.stdout + r.stderr);
  t.true(seconds < 30, `took ${seconds}s`);
  t.regex(r.stderr, /rate limit/i);
  t.regex(r.stderr, /resets at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  t.regex(r.stderr, /in (49|50|51) min/);
  t.is(gh.requests.length, 1, 'one request, no retries');
  t.is(refs(remote.path), '');
  t.false(r.stderr.includes(TOKEN));
});

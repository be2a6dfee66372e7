import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type FakeGitHub, workspaceWithGitHub } from './helpers/fake-github.js';
import { makeRsaCert } from './helpers/certs.js';
import { git } from './helpers/git.js';
import { runCli, type Workspace } from './helpers/workspace.js';

const TOKEN = 'ghp_noChurnTestToken0123456789';

function bareRemote(ws: Workspace): { url: string; path: string } {
  const path = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  return { url: `file://${path}`, path };
}

const sha = (bare: string, ref: string) => git(bare, 'rev-parse', ref).trim();
const writes = (gh: FakeGitHub) => gh.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const { ws, gh } = await workspaceWithGitHub(t, TOKEN);
  const remote = bareRemote(ws);
  const base = ['--source', ws.source, '--repo', remote.url, '--workdir', join(ws.dir, 'workdir')];
  const pr = (envs: string) => runCli(['--env', envs, '--pr', ...base, '--github-repo', 'acme/config', '--github-api-url', gh.url], { env: { GITHUB_TOKEN: TOKEN } });
  const push = (envs: string) => runCli(['--env', envs, '--push', ...base]);
  return { ws, gh, remote, pr, push };
}

test('issue 16.1: a --pr re-run with nothing new makes no commit, pushes nothing and leaves the open pull request alone', async (t) => {
  const { ws, gh, remote, pr, push } = await setup(t);
  t.is((await push('dev,stg')).code, 0);
  const pushedSha = sha(remote.path, 'main');
  // --push with nothing new: same commit on main.
  const pushAgain = await push('dev,stg');
  t.is(pushAgain.code, 0, pushAgain.stderr);
  t.regex(pushAgain.stdout, /up to date/);
  t.is(sha(remote.path, 'main'), pushedSha);

  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));
  const first = await pr('stg');
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /pull request #1 opened/);
  const branchSha = sha(remote.path, 'gen-gitops/stg');
  const mainSha = sha(remote.path, 'main');
  const writesBefore = writes(gh);
  const body = gh.pulls[0]!.body;

  const again = await pr('stg');
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /up to date: pull request #1 already carries this render/);
  t.is(sha(remote.path, 'gen-gitops/stg'), branchSha, 'the PR branch keeps its SHA (nothing force-pushed)');
  t.is(sha(remote.path, 'main'), mainSha);
  t.deepEqual(writes(gh), writesBefore, 'no POST and no PATCH');
  t.is(gh.pulls[0]!.body, body);

  // Something new after all: the branch is rebuilt on main and the PR updated.
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30511', 'nodePort: 30512'));
  const third = await pr('stg');
  t.is(third.code, 0, third.stderr);
  t.regex(third.stdout, /pull request #1 updated/);
  t.not(sha(remote.path, 'gen-gitops/stg'), branchSha);
  t.is(sha(remote.path, 'gen-gitops/stg^'), mainSha, 'still one commit on main');
  t.regex(gh.pulls[0]!.body, /^-\s+nodePort: 30501$/m, 'the body is against main, not against the previous branch');
});

test('issue 16.1: a --pr re-run keeps the Sealed Secrets ciphertexts already on the PR branch (no re-seal churn)', async (t) => {
  const { ws, gh, remote, pr, push } = await setup(t);
  t.is((await push('dev')).code, 0);
  const cert = makeRsaCert(ws.source); // inside the source repository: environment files may only name files there
  // stg is new in this PR and seals its Secrets: randomised ciphertexts must not be redone on a re-run.
  ws.writeEnv('stg', `${ws.readEnv('stg')}secrets:\n  provider: sealed-secrets\n  sealedSecrets:\n    certificate: ${cert.certPath}\n`);
  const first = await pr('stg');
  t.is(first.code, 0, first.stderr);
  t.true(git(remote.path, 'ls-tree', '-r', '--name-only', 'gen-gitops/stg').includes('sealedsecret'), 'the branch carries SealedSecrets');
  const branchSha = sha(remote.path, 'gen-gitops/stg');
  const writesBefore = writes(gh);
  const again = await pr('stg');
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /up to date: pull request #1 already carries this render/);
  t.is(sha(remote.path, 'gen-gitops/stg'), branchSha);
  t.deepEqual(writes(gh), writesBefore);
});

test('issue 16.1: the PR branch already carries the render but its pull request was closed: a pull request is opened, nothing pushed', async (t) => {
  const { ws, gh, remote, pr, push } = await setup(t);
  t.is((await push('dev,stg')).code, 0);
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));
  t.is((await pr('stg')).code, 0);
  gh.pulls[0]!.state = 'closed';
  const branchSha = sha(remote.path, 'gen-gitops/stg');
  const again = await pr('stg');
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /pull request #2 opened/);
  t.is(sha(remote.path, 'gen-gitops/stg'), branchSha);
  t.regex(gh.pulls[1]!.body, /^\+\s+nodePort: 30511$/m);
});

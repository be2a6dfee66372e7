import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliver } from '../generator/deliver.js';
import { startFakeGitHub, workspaceWithGitHub } from './helpers/fake-github.js';
import { git } from './helpers/git.js';
import { makeWorkspace, runCli, type Workspace } from './helpers/workspace.js';

const TOKEN = 'ghp_testTOKENdoNotLeak0123456789';

function bareRemote(ws: Workspace): { url: string; path: string } {
  const path = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  return { url: `file://${path}`, path };
}

function deliverArgs(ws: Workspace, remote: string, extra: string[]): string[] {
  return [...extra, '--source', ws.source, '--repo', remote, '--workdir', join(ws.dir, 'workdir')];
}

const log = (bare: string, ref: string) => git(bare, 'log', '--format=%s', ref).trim().split('\n').filter(Boolean);

/** Every file under a folder, as one string: to prove a value is nowhere in it. */
function allText(dir: string): string {
  let out = '';
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (s.size < 5_000_000) out += readFileSync(p, 'latin1');
    }
  };
  walk(dir);
  return out;
}

test('--push commits on the default branch of the remote; a re-run with no change pushes nothing', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = bareRemote(ws);
  const r = await runCli(deliverArgs(ws, remote.url, ['--env', 'stg', '--push']));
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /pushed [0-9a-f]{12} to main/);
  t.deepEqual(log(remote.path, 'main'), ['gen-gitops: render stg']);
  t.true(git(remote.path, 'ls-tree', '-r', '--name-only', 'main').includes('envs/stg/manifests/deployment-mlflow.yaml'));
  const again = await runCli(deliverArgs(ws, remote.url, ['--env', 'stg', '--push']));
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /up to date/);
  t.is(log(remote.path, 'main').length, 1);
});

test('prod without --pr is refused (exit 2) and nothing reaches the remote', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = bareRemote(ws);
  const r = await runCli(deliverArgs(ws, remote.url, ['--env', 'prod', '--push']));
  t.is(r.code, 2);
  t.regex(r.stderr, /prod is a production environment.*--pr/);
  t.is(git(remote.path, 'for-each-ref').trim(), '');
});

test('a remote --repo without --push or --pr says what to add; --push on a local path is refused', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = bareRemote(ws);
  const r = await runCli(deliverArgs(ws, remote.url, ['--env', 'stg']));
  t.is(r.code, 2);
  t.regex(r.stderr, /add --push or --pr/);
  const local = await runCli(['--env', 'stg', '--push', '--source', ws.source, '--repo', join(ws.dir, 'local')]);
  t.is(local.code, 2);
  t.regex(local.stderr, /--push needs a remote config repo/);
});

test('--pr pushes gen-gitops/<env>, opens one pull request, updates it on the next change, and never leaks the token', async (t) => {
  const { ws, gh } = await workspaceWithGitHub(t, TOKEN);
  const remote = bareRemote(ws);
  const env = { GITHUB_TOKEN: TOKEN };
  const args = (extra: string[]) => deliverArgs(ws, remote.url, [...extra, '--github-repo', 'acme/config', '--github-api-url', gh.url]);

  // main already has dev and stg; the pull request is about a change to stg.
  t.is((await runCli(deliverArgs(ws, remote.url, ['--env', 'dev,stg', '--push']))).code, 0);
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));
  const first = await runCli(args(['--env', 'stg', '--pr']), { env });
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /pull request #1 opened: http/);
  t.deepEqual(log(remote.path, 'gen-gitops/stg'), ['gen-gitops: render stg', 'gen-gitops: render dev, stg']);
  t.deepEqual(log(remote.path, 'main'), ['gen-gitops: render dev, stg'], 'the default branch is untouched');
  t.is(gh.pulls.length, 1);
  const pr = gh.pulls[0]!;
  t.is(pr.head.ref, 'gen-gitops/stg');
  t.is(pr.base.ref, 'main');
  t.regex(pr.title, /^gen-gitops: update stg/);
  t.regex(pr.body, /### stg/);
  t.regex(pr.body, /Changed:\n(- .*\n)*- `Service` mlflow-stg\/mlflow \(`envs\/stg\/manifests\/service-mlflow\.yaml`\)/);
  t.regex(pr.body, /^-\s+nodePort: 30501$/m);
  t.regex(pr.body, /^\+\s+nodePort: 30511$/m);
  t.regex(pr.body, /files changed, \d+ insertions/);
  t.regex(pr.body, /<details>[\s\S]*```diff[\s\S]*\+\+\+ b\/envs\/stg\/manifests\/service-mlflow\.yaml/);

  // A further change: same branch, same pull request, updated.
  ws.writeEnv('stg', ws.readEnv('stg').replace('mlflow:\n', 'mlflow:\n  image:\n    repository: ghcr.io/mlflow/mlflow\n    tag: v3.9.0-full\n'));
  const second = await runCli(args(['--env', 'stg', '--pr']), { env });
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /pull request #1 updated/);
  t.is(gh.pulls.length, 1);
  t.is(log(remote.path, 'gen-gitops/stg').length, 2, 'the branch is rebuilt on main, not stacked');
  t.regex(gh.pulls[0]!.title, /mlflow → ghcr\.io\/mlflow\/mlflow:v3\.9\.0-full/);
  t.regex(gh.pulls[0]!.body, /\| Deployment\/mlflow \| mlflow \| `ghcr\.io\/mlflow\/mlflow:v3\.17\.2-full` \| `ghcr\.io\/mlflow\/mlflow:v3\.9\.0-full` \|/);

  for (const out of [first.stdout, first.stderr, second.stdout, second.stderr]) t.false(out.includes(TOKEN));
  t.false(allText(join(ws.dir, 'workdir', '.git')).includes(TOKEN), 'token not stored in the working clone');
  t.false(allText(remote.path).includes(TOKEN), 'token not stored in the remote');
  for (const req of gh.requests) t.false(JSON.stringify(req.body ?? '').includes(TOKEN));
});

test('--pr with no change against the default branch creates no branch and no pull request', async (t) => {
  const ws = makeWorkspace();
  const gh = await startFakeGitHub({ token: TOKEN });
  t.teardown(async () => {
    await gh.close();
    ws.cleanup();
  });
  const remote = bareRemote(ws);
  t.is((await runCli(deliverArgs(ws, remote.url, ['--env', 'stg', '--push']))).code, 0);
  const r = await runCli(deliverArgs(ws, remote.url, ['--env', 'stg', '--pr', '--github-repo', 'acme/config', '--github-api-url', gh.url]), { env: { GITHUB_TOKEN: TOKEN } });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /up to date/);
  t.is(gh.pulls.length, 0);
  t.false(git(remote.path, 'branch', '--list').includes('gen-gitops/'));
});

test('a bad token fails with exit 1, names the repository and what to do, and leaves no pull request', async (t) => {
  const ws = makeWorkspace();
  const gh = await startFakeGitHub({ token: 'the-right-token' });
  t.teardown(async () => {
    await gh.close();
    ws.cleanup();
  });
  const remote = bareRemote(ws);
  const r = await runCli(deliverArgs(ws, remote.url, ['--env', 'stg', '--pr', '--github-repo', 'acme/config', '--github-api-url', gh.url]), { env: { GITHUB_TOKEN: TOKEN } });
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /acme\/config/);
  t.regex(r.stderr, /GITHUB_TOKEN/);
  t.false(r.stderr.includes(TOKEN));
  t.is(gh.pulls.length, 0);
  t.is(git(remote.path, 'for-each-ref').trim(), '', 'nothing pushed before the API answered');
});

test('--pr without a token is a usage error naming GITHUB_TOKEN', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = bareRemote(ws);
  const r = await runCli(deliverArgs(ws, remote.url, ['--env', 'stg', '--pr', '--github-repo', 'acme/config']), { env: { GITHUB_TOKEN: '' } });
  t.is(r.code, 2);
  t.regex(r.stderr, /GITHUB_TOKEN/);
});

test('a remote that moved between fetch and push is handled without losing either commit', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = bareRemote(ws);
  // Someone else's clone, committing to main while gen-gitops is between fetch and push.
  const other = join(ws.dir, 'other');
  execFileSync('git', ['clone', '--quiet', remote.url, other], { stdio: 'ignore' });
  const result = await deliver({
    source: ws.source,
    remote: remote.url,
    workdir: join(ws.dir, 'workdir'),
    envs: ['stg'],
    all: false,
    mode: 'push',
    diff: false,
    environ: { ...process.env, GITHUB_TOKEN: undefined },
    beforePush: async (attempt) => {
      if (attempt !== 1) return;
      mkdirSync(join(other, 'docs'), { recursive: true });
      writeFileSync(join(other, 'docs', 'runbook.md'), 'hand-written\n');
      git(other, 'add', '.');
      git(other, '-c', 'user.name=Someone', '-c', 'user.email=someone@example.com', 'commit', '--quiet', '-m', 'docs: runbook');
      git(other, 'push', '--quiet', 'origin', 'HEAD:main');
    },
  });
  t.is(result.status, 'committed');
  t.deepEqual(log(remote.path, 'main'), ['gen-gitops: render stg', 'docs: runbook'], 'ours on top of theirs, nothing force-pushed');
  const files = git(remote.path, 'ls-tree', '-r', '--name-only', 'main');
  t.true(files.includes('docs/runbook.md'));
  t.true(files.includes('envs/stg/manifests/deployment-mlflow.yaml'));
  // The first (rejected) commit is still reachable in the working clone.
  t.regex(git(join(ws.dir, 'workdir'), 'branch', '--list', 'gen-gitops/unpushed-*'), /gen-gitops\/unpushed-[0-9a-f]{12}/);
});

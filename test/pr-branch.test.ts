import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { MAX_PR_BRANCH, prBranch } from '../generator/deliver.js';
import { workspaceWithGitHub } from './helpers/fake-github.js';
import { git } from './helpers/git.js';
import { runCli, type Workspace } from './helpers/workspace.js';

const TOKEN = 'ghp_prBranchTestToken0123456789';

/** An environment on the shipped cluster with its own namespace, NodePort and database names. */
function addEnv(ws: Workspace, name: string, i: number): void {
  ws.writeEnv(
    name,
    `name: ${name}\nnamespace: mlflow-${name}\nmlflow:\n  nodePort: ${31000 + i}\npostgres:\n  name: ${name}-postgres\n  port: 5432\nminio:\n  name: minio-${name}\n`,
  );
}

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const { ws, gh } = await workspaceWithGitHub(t, TOKEN);
  const path = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  const run = (sel: string[]) =>
    runCli([...sel, '--pr', '--source', ws.source, '--repo', `file://${path}`, '--workdir', join(ws.dir, 'workdir'), '--github-repo', 'acme/config', '--github-api-url', gh.url], {
      env: { GITHUB_TOKEN: TOKEN },
    });
  // main exists first, so pull requests have a base.
  execFileSync('git', ['clone', '--quiet', `file://${path}`, join(ws.dir, 'seed')], { stdio: 'ignore' });
  git(join(ws.dir, 'seed'), '-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '--quiet', '--allow-empty', '-m', 'start');
  git(join(ws.dir, 'seed'), 'push', '--quiet', 'origin', 'HEAD:main');
  return { ws, gh, remote: path, run };
}

test('issue 14.14: {dev-eu, stg} and {dev, eu-stg} get different PR branches: the second run does not force-push over the first PR', async (t) => {
  const { ws, gh, remote, run } = await setup(t);
  addEnv(ws, 'dev-eu', 1);
  addEnv(ws, 'eu-stg', 2);
  const first = await run(['--env', 'dev-eu,stg']);
  t.is(first.code, 0, first.stderr);
  const firstBranch = gh.pulls[0]!.head.ref;
  const firstSha = git(remote, 'rev-parse', `refs/heads/${firstBranch}`).trim();
  const second = await run(['--env', 'dev,eu-stg']);
  t.is(second.code, 0, second.stderr);
  t.is(gh.pulls.length, 2, 'two pull requests');
  t.not(gh.pulls[1]!.head.ref, firstBranch);
  t.is(git(remote, 'rev-parse', `refs/heads/${firstBranch}`).trim(), firstSha, 'the first PR branch is untouched');
  t.true(git(remote, 'ls-tree', '-r', '--name-only', firstBranch).includes('envs/dev-eu/'));
});

test('issue 14.14: --all --pr with 45+ environments works; the branch name is bounded and stable for the set', async (t) => {
  const { ws, gh, remote, run } = await setup(t);
  for (let i = 1; i <= 46; i++) addEnv(ws, `team-${String(i).padStart(2, '0')}`, i);
  const r = await run(['--all']);
  t.is(r.code, 0, r.stderr);
  t.notRegex(r.stderr, /too long/i);
  const branch = gh.pulls[0]!.head.ref;
  t.true(branch.length <= MAX_PR_BRANCH, branch);
  t.regex(branch, /^gen-gitops\/49-environments-[0-9a-f]{12}$/);
  t.true(git(remote, 'ls-tree', '-r', '--name-only', branch).includes('envs/team-46/'));
  // Same set, same branch; another set, another branch.
  const names = ['dev', 'prod', 'stg', ...Array.from({ length: 46 }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`)];
  t.is(prBranch([...names].reverse()), branch);
  t.not(prBranch(names.slice(1)), branch);
  t.is(prBranch(['stg']), 'gen-gitops/stg', 'a single environment keeps its readable branch');
});

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeGitHub } from './helpers/fake-github.js';
import { commitCount, git, snapshotTree } from './helpers/git.js';
import { makeWorkspace, runCli, runIn, type Workspace } from './helpers/workspace.js';

/** prod on a cluster of its own, so that removing prod also empties that cluster. */
function prodOnItsOwnCluster(ws: Workspace): void {
  ws.writeEnv('prod', `${ws.readEnv('prod')}cluster:\n  name: prod-cluster\n  server: https://prod.example.com:6443\n`);
}

/** What a team does to retire prod: delete its file and take it out of the promotion order. */
function removeProd(ws: Workspace): void {
  rmSync(ws.envFile('prod'));
  const defaults = join(ws.source, 'environments', 'defaults.yaml');
  writeFileSync(defaults, readFileSync(defaults, 'utf8').replace('stages: [dev, stg, prod]', 'stages: [dev, stg]'));
}

const tracked = (repo: string, ref = 'HEAD') => git(repo, 'ls-tree', '-r', '--name-only', ref).trim().split('\n');

test('issue 16.2: removing an environment file and running --all removes its folder and its cluster folder in one commit with the AppProject and README; a single-environment run never does', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  prodOnItsOwnCluster(ws);
  const first = await runIn(ws, ['--all']);
  t.is(first.code, 0, first.stderr);
  t.true(existsSync(join(ws.repo, 'envs/prod/manifests')));
  t.true(existsSync(join(ws.repo, 'cluster-resources/prod-cluster')));
  t.regex(readFileSync(join(ws.repo, 'argocd/appproject.yaml'), 'utf8'), /prod\.example\.com/);

  removeProd(ws);

  // --check and --dry-run see the removal.
  const check = await runIn(ws, ['--all', '--check']);
  t.is(check.code, 3, check.stdout + check.stderr);
  t.regex(check.stdout, /- envs\/prod\/argocd\.json/);
  const dry = await runIn(ws, ['--all', '--dry-run']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /removes environment prod: envs\/prod\//);
  t.regex(dry.stdout, /removes cluster-resources\/prod-cluster\//);
  t.regex(dry.stdout, /preserveResourcesOnDeletion/);

  const before = commitCount(ws.repo);
  const r = await runIn(ws, ['--all']);
  t.is(r.code, 0, r.stderr);
  t.is(commitCount(ws.repo), before + 1, 'one commit');
  t.false(existsSync(join(ws.repo, 'envs/prod')), 'envs/prod/ is gone from the working tree');
  t.false(existsSync(join(ws.repo, 'cluster-resources/prod-cluster')), 'the last environment of prod-cluster took its folder along');
  t.true(existsSync(join(ws.repo, 'cluster-resources/in-cluster/argocd.json')));
  const files = tracked(ws.repo);
  t.false(files.some((f) => f.startsWith('envs/prod/') || f.startsWith('cluster-resources/prod-cluster/')));
  t.true(files.includes('envs/dev/argocd.json') && files.includes('envs/stg/argocd.json'));
  const changed = git(ws.repo, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n');
  t.true(changed.includes('argocd/appproject.yaml'), 'the AppProject in the same commit');
  t.true(changed.includes('README.md'), 'the config repo README in the same commit');
  t.true(changed.includes('envs/prod/manifests/statefulset-prod-postgres.yaml'));
  t.notRegex(readFileSync(join(ws.repo, 'argocd/appproject.yaml'), 'utf8'), /prod\.example\.com|mlflow-prod/);
  const readme = readFileSync(join(ws.repo, 'README.md'), 'utf8');
  t.notRegex(readme, /\| prod \|/);
  t.regex(readme, /preserveResourcesOnDeletion/);
  t.regex(readme, /kubectl delete/);
  const message = git(ws.repo, 'log', '-1', '--format=%B');
  t.regex(message, /Removed environment prod \(envs\/prod\/\)/);
  t.is(git(ws.repo, 'status', '--porcelain').trim(), '');

  // Nothing left to do, and ArgoCD's view has no Application for prod and nothing it would reject.
  const again = await runIn(ws, ['--all']);
  t.regex(again.stdout, /up to date/);
  const check2 = await runIn(ws, ['--all', '--check']);
  t.is(check2.code, 0, check2.stdout);
  const preview = await runCli(['preview', '--repo', ws.repo, '--source', ws.source]);
  t.is(preview.code, 0, preview.stderr);
  t.notRegex(preview.stdout, /mlflow-prod/);
  t.notRegex(preview.stderr, /error/);
});

test('issue 16.2: --all --pr lists the removed environment in the pull request and says how ArgoCD keeps its resources and how to delete its data', async (t) => {
  const ws = makeWorkspace();
  const token = 'ghp_removalTestToken0123456789';
  const gh = await startFakeGitHub({ token, owner: 'acme', repo: 'config' });
  t.teardown(async () => {
    await gh.close();
    ws.cleanup();
  });
  const bare = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  const args = (extra: string[]) => [
    ...extra,
    '--source',
    ws.source,
    '--repo',
    `file://${bare}`,
    '--workdir',
    join(ws.dir, 'workdir'),
    '--github-repo',
    'acme/config',
    '--github-api-url',
    gh.url,
  ];
  prodOnItsOwnCluster(ws);
  const first = await runCli(args(['--all', '--pr']), { env: { GITHUB_TOKEN: token } });
  t.is(first.code, 0, first.stderr);
  // The first pull request merged by hand: main carries every environment.
  git(bare, 'update-ref', 'refs/heads/main', `refs/heads/${gh.pulls[0]!.head.ref}`);
  gh.pulls[0]!.state = 'closed';

  removeProd(ws);
  const r = await runCli(args(['--all', '--pr']), { env: { GITHUB_TOKEN: token } });
  t.is(r.code, 0, r.stderr);
  const pr = gh.pulls.find((p) => p.state === 'open')!;
  t.truthy(pr);
  t.regex(pr.body, /### Environments removed/);
  t.regex(pr.body, /\*\*prod\*\*: `envs\/prod\/`/);
  t.regex(pr.body, /`cluster-resources\/prod-cluster\/`/);
  t.regex(pr.body, /preserveResourcesOnDeletion/);
  t.regex(pr.body, /kubectl delete namespace mlflow-prod/);
  t.regex(pr.body, /kubectl -n pgsql delete pvc (\S+ )*data-prod-postgres-0/);
  t.regex(pr.body, /# prod \(cluster prod-cluster, https:\/\/prod\.example\.com:6443\)/);
  const branchFiles = tracked(bare, `refs/heads/${pr.head.ref}`);
  t.false(branchFiles.some((f) => f.startsWith('envs/prod/') || f.startsWith('cluster-resources/prod-cluster/')));
  t.true(tracked(bare, 'refs/heads/main').includes('envs/prod/argocd.json'), 'main is untouched until the PR is merged');
  t.deepEqual(
    [...snapshotTree(join(ws.dir, 'workdir')).keys()].filter((f) => f.startsWith('envs/prod/')),
    [],
  );
});

test("issue 16.2: a single-environment run never removes another environment's folder, and says how to", async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const first = await runIn(ws, ['--all']);
  t.is(first.code, 0, first.stderr);
  removeProd(ws);
  const single = await runIn(ws, ['--env', 'dev,stg']);
  t.is(single.code, 0, single.stderr);
  t.true(existsSync(join(ws.repo, 'envs/prod/manifests/deployment-mlflow.yaml')));
  t.true(tracked(ws.repo).includes('envs/prod/argocd.json'));
  t.true(tracked(ws.repo).includes('envs/prod/manifests/statefulset-prod-postgres.yaml'));
  t.regex(single.stderr, /envs\/prod\/ has no environment file[\s\S]*gen-gitops --all removes/);
  t.notRegex(single.stdout, /removes environment/);
});

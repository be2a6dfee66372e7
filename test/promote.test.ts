import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { workspaceWithGitHub } from './helpers/fake-github.js';
import { git } from './helpers/git.js';
import { makeWorkspace, runCli, runIn, type Workspace } from './helpers/workspace.js';

const TOKEN = 'ghp_promoteTestToken000111222';

/** A source repo under Git, every environment rendered and committed, dev moved to a new MLflow image. */
async function stagedPromotion(ws: Workspace): Promise<void> {
  git(ws.source, 'init', '--quiet');
  // stg written the way people write files: comments, an explicit image with quoted tag.
  ws.writeEnv(
    'stg',
    ws
      .readEnv('stg')
      .replace(
        'mlflow:\n',
        'mlflow:\n  # pinned by the platform team; promote moves it\n  image:\n    repository: ghcr.io/mlflow/mlflow\n    tag: "v3.9.0-full"   # keep in step with dev\n',
      ),
  );
  ws.writeEnv('dev', ws.readEnv('dev').replace('mlflow:\n', 'mlflow:\n  image:\n    repository: ghcr.io/mlflow/mlflow\n    tag: v3.10.0-full\n'));
  git(ws.source, 'add', '-A');
  git(ws.source, '-c', 'user.name=A', '-c', 'user.email=a@example.com', 'commit', '--quiet', '-m', 'environments');
  const r = await runIn(ws, ['--all']);
  if (r.code !== 0) throw new Error(r.stderr);
}

const promoteArgs = (ws: Workspace, extra: string[]) => ['promote', ...extra, '--source', ws.source, '--repo', ws.repo];

test('promote copies only the image, keeps the rest of the target file byte for byte, and renders only what follows', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  await stagedPromotion(ws);
  const before = ws.readEnv('stg');
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  const r = await runCli(promoteArgs(ws, ['--from', 'dev', '--to', 'stg']));
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /mlflow\.image: ghcr\.io\/mlflow\/mlflow:v3\.9\.0-full → ghcr\.io\/mlflow\/mlflow:v3\.10\.0-full/);
  t.is(ws.readEnv('stg'), before.replace('"v3.9.0-full"', '"v3.10.0-full"'), 'one scalar changed, comments and quoting kept');

  // The config repo diff: images and the version label, nothing else.
  const diff = git(ws.repo, 'diff', head, 'HEAD');
  const changed = diff.split('\n').filter((l) => /^[+-](?![+-])/.test(l));
  t.true(changed.length > 0);
  for (const line of changed) t.regex(line, /(image: ghcr\.io\/mlflow\/mlflow:v3\.(9\.0|10\.0)-full|app\.kubernetes\.io\/version: v3\.(9\.0|10\.0)-full)$/, line);
  t.deepEqual(
    git(ws.repo, 'diff', '--name-only', head, 'HEAD')
      .trim()
      .split('\n')
      .every((f) => f.startsWith('envs/stg/')),
    true,
  );
  const message = git(ws.repo, 'log', '-1', '--format=%B');
  t.regex(message, /^gen-gitops: promote dev → stg/);
  t.regex(message, /mlflow\.image: ghcr\.io\/mlflow\/mlflow:v3\.9\.0-full → ghcr\.io\/mlflow\/mlflow:v3\.10\.0-full/);
  t.regex(message, /Promoted from dev \(config repo commit [0-9a-f]{40}\)/);

  const again = await runCli(promoteArgs(ws, ['--from', 'dev', '--to', 'stg']));
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /already up to date/);
});

test('promote --dry-run prints the change and writes nothing', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  await stagedPromotion(ws);
  const before = ws.readEnv('stg');
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  const r = await runCli(promoteArgs(ws, ['--from', 'dev', '--to', 'stg', '--dry-run']));
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^-\s+tag: "v3\.9\.0-full"/m);
  t.regex(r.stdout, /^\+\s+tag: "v3\.10\.0-full"/m);
  t.is(ws.readEnv('stg'), before);
  t.is(git(ws.repo, 'rev-parse', 'HEAD').trim(), head);
});

test('promote guards: skipped stage, undeployed source, edited target (exit 2, nothing changed)', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  await stagedPromotion(ws);
  const stg = ws.readEnv('stg');
  const prod = ws.readEnv('prod');
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();

  const skip = await runCli(promoteArgs(ws, ['--from', 'dev', '--to', 'prod']));
  t.is(skip.code, 2);
  t.regex(skip.stderr, /skips stg.*--skip-stage/);
  t.is(ws.readEnv('prod'), prod);

  const backwards = await runCli(promoteArgs(ws, ['--from', 'stg', '--to', 'dev']));
  t.is(backwards.code, 2);

  // dev's file changed but was never rendered: it is not deployed as written.
  ws.writeEnv('dev', ws.readEnv('dev').replace('nodePort: 30502', 'nodePort: 30512'));
  const undeployed = await runCli(promoteArgs(ws, ['--from', 'dev', '--to', 'stg']));
  t.is(undeployed.code, 2);
  t.regex(undeployed.stderr, /dev is not deployed as written.*gen-gitops --env dev/);
  t.is(ws.readEnv('stg'), stg);
  git(ws.source, 'checkout', '--quiet', '--', 'environments/dev.yaml');

  ws.writeEnv('stg', `${stg}# a local note\n`);
  const dirty = await runCli(promoteArgs(ws, ['--from', 'dev', '--to', 'stg']));
  t.is(dirty.code, 2);
  t.regex(dirty.stderr, /environments\/stg\.yaml has uncommitted edits/);
  t.is(git(ws.repo, 'rev-parse', 'HEAD').trim(), head);
});

test('promote to prod on a remote opens a pull request listing each setting old → new and the source commit', async (t) => {
  const { ws, gh } = await workspaceWithGitHub(t, TOKEN);
  git(ws.source, 'init', '--quiet');
  ws.writeEnv('stg', ws.readEnv('stg').replace('mlflow:\n', 'mlflow:\n  image:\n    repository: ghcr.io/mlflow/mlflow\n    tag: v3.10.0-full\n'));
  git(ws.source, 'add', '-A');
  git(ws.source, '-c', 'user.name=A', '-c', 'user.email=a@example.com', 'commit', '--quiet', '-m', 'environments');
  const bare = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  const remote = `file://${bare}`;
  const workdir = join(ws.dir, 'workdir');
  // stg and prod deployed as written on main (prod through a merged PR in real life).
  const seed = await runCli(['--env', 'stg', '--push', '--source', ws.source, '--repo', remote, '--workdir', workdir]);
  t.is(seed.code, 0, seed.stderr);
  const seedProd = await runCli(
    ['--env', 'prod', '--pr', '--source', ws.source, '--repo', remote, '--workdir', workdir, '--github-repo', 'acme/config', '--github-api-url', gh.url],
    { env: { GITHUB_TOKEN: TOKEN } },
  );
  t.is(seedProd.code, 0, seedProd.stderr);
  git(bare, 'update-ref', 'refs/heads/main', 'refs/heads/gen-gitops/prod'); // "merge" it
  gh.pulls[0]!.state = 'closed';
  const stgCommit = git(bare, 'log', '-1', '--format=%H', 'main', '--', 'envs/stg').trim();

  const r = await runCli(
    ['promote', '--from', 'stg', '--to', 'prod', '--source', ws.source, '--repo', remote, '--workdir', workdir, '--github-repo', 'acme/config', '--github-api-url', gh.url],
    { env: { GITHUB_TOKEN: TOKEN } },
  );
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /pull request #2 opened/);
  const pr = gh.pulls.find((p) => p.number === 2)!;
  t.is(pr.head.ref, 'gen-gitops/prod');
  t.regex(pr.title, /^gen-gitops: promote stg → prod/);
  t.regex(pr.body, /### Promotion stg → prod/);
  t.regex(pr.body, /\| `mlflow\.image` \| `ghcr\.io\/mlflow\/mlflow:v3\.17\.2-full` \| `ghcr\.io\/mlflow\/mlflow:v3\.10\.0-full` \|/);
  t.true(pr.body.includes(stgCommit), 'names the stg commit the promotion was taken from');
  t.false(r.stdout.includes(TOKEN) || r.stderr.includes(TOKEN));

  git(ws.source, 'checkout', '--quiet', '--', 'environments/prod.yaml');
  const push = await runCli(['promote', '--from', 'stg', '--to', 'prod', '--push', '--source', ws.source, '--repo', remote, '--workdir', workdir], {
    env: { GITHUB_TOKEN: TOKEN },
  });
  t.is(push.code, 2, 'prod is never pushed directly');
});

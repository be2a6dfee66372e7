/**
 * Issue #13: the images environments name must exist upstream and be able to
 * run what gen-gitops renders (13.1), and people are told MinIO is no longer
 * maintained (13.10). Through the built CLI, as a user runs it.
 */
import test from 'ava';
import { NEWEST_MLFLOW } from './e2e/scenarios.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_MLFLOW_TAG } from '../generator/environment/upstream.js';
import { git, snapshotTree } from './helpers/git.js';
import { makeWorkspace, projectRoot, runCli, runIn, type Workspace } from './helpers/workspace.js';

/** dev.yaml with an explicit MLflow image: its tag value sits at dev.yaml:9:10. */
const withMlflowImage = (ws: Workspace, env: string, image: string) => {
  const before = ws.readEnv(env);
  const after = before.replace('mlflow:\n', `mlflow:\n  image:\n${image}`);
  if (after === before) throw new Error(`test edit did not apply to ${env}.yaml`);
  ws.writeEnv(env, after);
};
const ghcr = (tag: string, digest?: string) => `    repository: ghcr.io/mlflow/mlflow\n    tag: ${tag}\n${digest ? `    digest: ${digest}\n` : ''}`;
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const minioWarnings = (stderr: string) => stderr.split('\n').filter((l) => /^warning: .*minio\.mode: /.test(l));

test('issue 13.1: a -full tag below v3.9.0 is refused with the nearest valid tag', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--all'])).code, 0);
  const head = git(ws.repo, 'rev-parse', 'HEAD');
  const before = snapshotTree(ws.repo);
  // A change that would be written if the input were valid.
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));

  for (const tag of ['v3.6.0-full', 'v3.8.1-full', 'v2.22.0-full']) {
    withMlflowImage(ws, 'dev', ghcr(tag));
    const r = await runIn(ws, ['--env', 'dev', '--env', 'stg']);
    t.is(r.code, 2, r.stdout + r.stderr);
    t.true(
      r.stderr.includes(
        `gen-gitops: environments/dev.yaml:9:10: mlflow.image.tag: ghcr.io/mlflow/mlflow:${tag} does not exist: the -full variant is published only from v3.9.0\n` +
          `    hint: use v3.9.0-full (the nearest valid tag) or ${DEFAULT_MLFLOW_TAG} (the current default)`,
      ),
      r.stderr,
    );
    t.deepEqual(snapshotTree(ws.repo), before, 'nothing written');
    t.is(git(ws.repo, 'rev-parse', 'HEAD'), head, 'nothing committed');
    ws.writeEnv('dev', readFileSync(join(projectRoot, 'environments', 'dev.yaml'), 'utf8'));
  }

  // A tag pinned with a digest still names an image that never existed.
  withMlflowImage(ws, 'dev', ghcr('v3.6.0-full', DIGEST));
  const pinned = await runIn(ws, ['--env', 'dev']);
  t.is(pinned.code, 2, pinned.stderr);
  t.regex(pinned.stderr, /environments\/dev\.yaml:9:10: mlflow\.image\.tag: ghcr\.io\/mlflow\/mlflow:v3\.6\.0-full does not exist/);
  t.deepEqual(snapshotTree(ws.repo), before);
});

test('issue 13.1: a refused tag in defaults.yaml is told once, by validate and on a fresh machine', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const defaults = join(ws.source, 'environments', 'defaults.yaml');
  const text = readFileSync(defaults, 'utf8');
  t.true(text.includes(`tag: ${DEFAULT_MLFLOW_TAG}`));
  ws.writeEnv('defaults', text.replace(`tag: ${DEFAULT_MLFLOW_TAG}`, 'tag: v3.6.0-full'));

  const validate = await runCli(['validate', '--source', ws.source]);
  t.is(validate.code, 2, validate.stdout + validate.stderr);
  t.is(validate.stdout, '');
  // Three environments inherit the one value: one line to fix, one line told.
  const told = validate.stderr.split('\n').filter((l) => l.includes('does not exist'));
  t.deepEqual(told, [
    'gen-gitops: environments/defaults.yaml:30:12: mlflow.image.tag: ghcr.io/mlflow/mlflow:v3.6.0-full does not exist: the -full variant is published only from v3.9.0',
  ]);

  const render = await runIn(ws, ['--all']);
  t.is(render.code, 2);
  t.regex(render.stderr, /environments\/defaults\.yaml:30:12: mlflow\.image\.tag: .*v3\.6\.0-full does not exist[^\n]*\n {4}hint: use v3\.9\.0-full \(the nearest valid tag\)/);
  t.false(existsSync(ws.repo), 'no config repo created');
});

test('issue 13.1: -full tags from v3.9.0, other repositories, other tags and digest-only images are accepted', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const shipped = ws.readEnv('dev');
  for (const image of [
    ghcr('v3.9.0-full'),
    ghcr('v3.17.2-full', DIGEST),
    ghcr('latest-full'),
    ghcr('3.6.0-full'),
    `    repository: ghcr.io/mlflow/mlflow\n    digest: ${DIGEST}\n`,
    '    repository: registry.example.com/ml/mlflow\n    tag: v3.6.0-full\n',
    '    repository: registry.example.com/mlflow/mlflow\n    tag: v3.6.0-full\n',
  ]) {
    ws.writeEnv('dev', shipped);
    withMlflowImage(ws, 'dev', image);
    const r = await runCli(['validate', '--source', ws.source]);
    t.is(r.code, 0, `${image}\n${r.stderr}`);
    t.notRegex(r.stderr, /mlflow\.image/, image);
  }
});

test('issue 13.1: the plain image warns what it lacks', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const shipped = ws.readEnv('dev');
  const lacks = 'is the plain image: it lacks psycopg2 (PostgreSQL backend), boto3 (S3 artifacts) and Flask-WTF (basic auth)';

  // From v3.9.0 the same release has a -full image: that is the advice.
  withMlflowImage(ws, 'dev', ghcr('v3.10.0'));
  const r = await runIn(ws, ['--env', 'dev']);
  t.is(r.code, 0, r.stderr);
  t.true(
    r.stderr.includes(
      `warning: environments/dev.yaml:9:10: mlflow.image.tag: ghcr.io/mlflow/mlflow:v3.10.0 ${lacks}\n    hint: use v3.10.0-full, the same release with those packages`,
    ),
    r.stderr,
  );
  t.false(r.stdout.includes('warning:'), 'warnings go to stderr only');
  t.regex(r.stdout, /committed [0-9a-f]{12}/, 'a warning does not stop the render');
  t.regex(readFileSync(join(ws.repo, 'envs/dev/manifests/deployment-mlflow.yaml'), 'utf8'), /image: ghcr\.io\/mlflow\/mlflow:v3\.10\.0$/m);

  // Below v3.9.0 there is no -full twin to suggest: name the current default instead.
  ws.writeEnv('dev', shipped);
  withMlflowImage(ws, 'dev', ghcr('v3.6.0'));
  const old = await runCli(['validate', '--source', ws.source]);
  t.is(old.code, 0, old.stderr);
  t.true(
    old.stderr.includes(
      `warning: environments/dev.yaml:9:10: mlflow.image.tag: ghcr.io/mlflow/mlflow:v3.6.0 ${lacks}\n    hint: the -full variant is published only from v3.9.0: use ${DEFAULT_MLFLOW_TAG} (the current default)`,
    ),
    old.stderr,
  );
  t.false(old.stderr.includes('v3.6.0-full'), 'never suggests a tag that does not exist');

  // Digest-only and other repositories: no advice, as before.
  ws.writeEnv('dev', shipped);
  withMlflowImage(ws, 'dev', `    repository: ghcr.io/mlflow/mlflow\n    digest: ${DIGEST}\n`);
  const digest = await runCli(['validate', '--source', ws.source]);
  t.is(digest.code, 0, digest.stderr);
  t.notRegex(digest.stderr, /mlflow\.image/);
});

test('issue 13.1: the shipped defaults name the newest MLflow -full image the e2e runs and PostgreSQL 17.x, which the hints suggest', (t) => {
  const defaults = parse(readFileSync(join(projectRoot, 'environments', 'defaults.yaml'), 'utf8')) as {
    environment: { mlflow: { image: { repository: string; tag: string } }; postgres: { image: { tag: string } } };
  };
  t.deepEqual(defaults.environment.mlflow.image, { repository: 'ghcr.io/mlflow/mlflow', tag: DEFAULT_MLFLOW_TAG });
  // The newest release that installs from PyPI (3.18.0 names mlflow-skinny==3.18.0, which is not published),
  // and the one the e2e's scenarios run: a default is a tag the e2e has run.
  t.is(DEFAULT_MLFLOW_TAG, NEWEST_MLFLOW);
  t.is(defaults.environment.postgres.image.tag, '17.10');
});

test('issue 13.1: promote cannot carry a refused tag into the next stage', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  git(ws.source, 'init', '--quiet');
  git(ws.source, 'add', '-A');
  git(ws.source, '-c', 'user.name=A', '-c', 'user.email=a@example.com', 'commit', '--quiet', '-m', 'environments');
  t.is((await runIn(ws, ['--all'])).code, 0);
  const head = git(ws.repo, 'rev-parse', 'HEAD');
  const before = snapshotTree(ws.repo);
  const stg = ws.readEnv('stg');

  // dev edited by hand to a tag that does not exist: promotion validates every file first.
  withMlflowImage(ws, 'dev', ghcr('v3.7.1-full'));
  for (const extra of [[], ['--dry-run']]) {
    const r = await runCli(['promote', '--from', 'dev', '--to', 'stg', ...extra, '--source', ws.source, '--repo', ws.repo]);
    t.is(r.code, 2, r.stdout + r.stderr);
    t.regex(r.stderr, /environments\/dev\.yaml:9:10: mlflow\.image\.tag: ghcr\.io\/mlflow\/mlflow:v3\.7\.1-full does not exist: the -full variant is published only from v3\.9\.0/);
    t.is(ws.readEnv('stg'), stg, 'target file untouched');
    t.deepEqual(snapshotTree(ws.repo), before);
    t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);
  }
});

test('issue 13.10: embedded MinIO warns once per run', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const told =
    'warning: environments/defaults.yaml:56:11: minio.mode: environments dev, prod, stg embed MinIO, whose project is no longer maintained: ' +
    'minio/minio went into maintenance mode in December 2025 and was archived in April 2026, its Docker Hub images were removed in September 2026, ' +
    'and quay.io keeps only frozen tags (no further fixes)\n' +
    '    hint: set minio.mode: external with minio.endpoint pointing at any maintained S3 service';

  // Three environments embed MinIO through defaults.yaml: one warning naming all three.
  const stale = await runIn(ws, ['--all', '--check']);
  t.is(stale.code, 3, 'the warning does not change --check');
  t.deepEqual(minioWarnings(stale.stderr).length, 1);
  const first = await runIn(ws, ['--all']);
  t.is(first.code, 0, first.stderr);
  t.true(first.stderr.includes(told), first.stderr);
  t.is(minioWarnings(first.stderr).length, 1, 'once per run, not once per environment');
  t.false(first.stdout.includes('MinIO'), 'stderr only');
  t.is((await runIn(ws, ['--all', '--check'])).code, 0);
  const validate = await runCli(['validate', '--source', ws.source]);
  t.is(validate.code, 0, validate.stderr);
  t.true(validate.stderr.includes(told), validate.stderr);
  t.is(minioWarnings(validate.stderr).length, 1);

  // The output files are what they were without the warning: the committed tree renders up to date.
  const head = git(ws.repo, 'rev-parse', 'HEAD');
  const again = await runIn(ws, ['--all']);
  t.is(again.code, 0);
  t.regex(again.stdout, /up to date/);
  t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);

  // Only the environments of the run that embed MinIO are named; where one sets the mode itself, it says where.
  ws.writeEnv('stg', ws.readEnv('stg').replace(/minio:\n {2}name: minio-stg\n?/, 'minio:\n  mode: external\n  endpoint: https://s3.example.com\n'));
  ws.writeEnv('prod', ws.readEnv('prod').replace(/minio:\n/, 'minio:\n  mode: embedded\n'));
  const mixed = await runCli(['validate', '--source', ws.source]);
  t.is(mixed.code, 0, mixed.stderr);
  t.is(minioWarnings(mixed.stderr).length, 1);
  t.regex(mixed.stderr, /^warning: environments\/defaults\.yaml:56:11: minio\.mode: environments dev, prod \(environments\/prod\.yaml:\d+:9\) embed MinIO/m);
  const one = await runIn(ws, ['--env', 'dev', '--dry-run']);
  t.regex(one.stderr, /^warning: environments\/defaults\.yaml:56:11: minio\.mode: environment dev embeds MinIO/m);
  const none = await runIn(ws, ['--env', 'stg', '--dry-run']);
  t.is(none.code, 0, none.stderr);
  t.is(minioWarnings(none.stderr).length, 0, 'stg uses an external S3 service');
});

/**
 * The render cache (.git/gen-gitops/render-cache.json) lets a run skip
 * environments whose render is known to reproduce their folder. It must
 * never change what is written: anything a render reads that changed
 * (the environment file, the folder, the build, supplied credentials,
 * Sealed Secrets inputs) means rendering again.
 */
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stableJson } from '../generator/cache/fingerprint.js';
import { generate, type GenerateOptions } from '../generator/run.js';
import { envYaml, makeSource } from './fixtures/secrets/env.js';
import { makeRsaCert } from './helpers/certs.js';
import { git, snapshotTree } from './helpers/git.js';
import { makeWorkspace, runIn, type Workspace } from './helpers/workspace.js';

const cacheFile = (repo: string) => join(repo, '.git', 'gen-gitops', 'render-cache.json');

function options(ws: { source: string; repo: string }, over: Partial<GenerateOptions> = {}): GenerateOptions {
  return {
    source: ws.source,
    repo: ws.repo,
    envs: [],
    all: true,
    mode: 'commit',
    diff: false,
    author: { name: 'Test', email: 'test@example.com' },
    environ: {},
    ...over,
  };
}

function workspace(t: { teardown(fn: () => void): void }): Workspace {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  return ws;
}

test('a re-run reuses every unchanged environment and changes nothing; a full render without the cache agrees byte for byte', async (t) => {
  const ws = workspace(t);
  const first = await generate(options(ws));
  t.is(first.status, 'committed');
  t.deepEqual(first.reused, []);
  t.true(existsSync(cacheFile(ws.repo)));
  const tree = snapshotTree(ws.repo);
  const head = git(ws.repo, 'rev-parse', 'HEAD');

  const second = await generate(options(ws));
  t.is(second.status, 'up-to-date');
  t.deepEqual(second.reused, ['dev', 'prod', 'stg']);

  rmSync(cacheFile(ws.repo));
  const full = await generate(options(ws, { mode: 'dry-run' }));
  t.deepEqual(full.reused, [], 'no cache: everything rendered');
  t.is(full.status, 'up-to-date', 'and the full render matches what the reused run left');
  t.false(existsSync(cacheFile(ws.repo)), 'a dry run does not write the cache');
  t.deepEqual(snapshotTree(ws.repo), tree);
  t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);
});

test('an edited environment file, a hand-edited folder, another build or a damaged cache mean rendering again', async (t) => {
  const ws = workspace(t);
  await generate(options(ws));

  // The environment file changed: only stg is rendered, and its change lands.
  ws.writeEnv('stg', ws.readEnv('stg').replace(/nodePort: 30501/, 'nodePort: 30511'));
  const edited = await generate(options(ws));
  t.is(edited.status, 'committed');
  t.deepEqual(edited.reused, ['dev', 'prod']);
  t.regex(readFileSync(join(ws.repo, 'envs/stg/manifests/service-mlflow.yaml'), 'utf8'), /nodePort: 30511/);

  // A committed hand edit in dev's folder: dev's folder no longer matches what was remembered.
  const file = join(ws.repo, 'envs/dev/manifests/service-mlflow.yaml');
  const rendered = readFileSync(file, 'utf8');
  writeFileSync(file, rendered.replace(/nodePort: 30502/, 'nodePort: 31999'));
  git(ws.repo, '-c', 'user.name=Someone', '-c', 'user.email=s@example.com', 'commit', '-qam', 'hand edit');
  const repaired = await generate(options(ws));
  t.is(repaired.status, 'committed');
  t.deepEqual(repaired.reused, ['prod', 'stg']);
  t.deepEqual(repaired.manual, ['envs/dev/manifests/service-mlflow.yaml']);
  t.is(readFileSync(file, 'utf8'), rendered);

  // Another build of gen-gitops: nothing it remembered counts.
  const stored = JSON.parse(readFileSync(cacheFile(ws.repo), 'utf8')) as { build: string };
  writeFileSync(cacheFile(ws.repo), JSON.stringify({ ...stored, build: '0'.repeat(64) }));
  t.deepEqual((await generate(options(ws, { mode: 'dry-run' }))).reused, []);

  // Damaged: ignored, then rewritten by the next writing run.
  writeFileSync(cacheFile(ws.repo), '{ not json');
  const afterDamage = await generate(options(ws));
  t.is(afterDamage.status, 'up-to-date');
  t.deepEqual(afterDamage.reused, []);
  t.deepEqual((await generate(options(ws))).reused, ['dev', 'prod', 'stg']);
});

test('supplied credentials, --reseal and sealed-secrets environments are always rendered', async (t) => {
  const base = workspace(t).dir;
  // Inside the source repository: environment files may only name files there.
  mkdirSync(join(base, 'sealed', 'source'), { recursive: true });
  const cert = makeRsaCert(join(base, 'sealed', 'source'), { days: 30 });
  const source = makeSource(
    {
      dev: envYaml('dev', { secrets: 'provider: plain', extra: 'allowPlaintextSecrets: true' }),
      stg: envYaml('stg', { secrets: `provider: sealed-secrets\nsealedSecrets:\n  certificate: ${cert.certPath}` }),
    },
    join(base, 'sealed'),
  );
  const ws = { source, repo: join(base, 'sealed', 'gitops') };
  t.is((await generate(options(ws))).status, 'committed');
  t.deepEqual((await generate(options(ws))).reused, ['dev'], 'the sealed environment reads a certificate and the clock: rendered every time');

  const supplied = await generate(options(ws, { environ: { GEN_GITOPS_DEV_POSTGRES_PASSWORD: 'supplied-password-1234' } }));
  t.deepEqual(supplied.reused, []);
  t.is(supplied.status, 'committed');
  t.regex(readFileSync(join(ws.repo, 'envs/dev/manifests/secret-dev-postgres-credentials.yaml'), 'utf8'), /supplied-password-1234/);

  t.deepEqual((await generate(options(ws, { reseal: true, envs: ['dev'], all: false }))).reused, []);
  // The folder changed since dev was last remembered: rendered, keeping the supplied value; then reused.
  const again = await generate(options(ws));
  t.deepEqual(again.reused, []);
  t.is(again.status, 'up-to-date');
  t.regex(readFileSync(join(ws.repo, 'envs/dev/manifests/secret-dev-postgres-credentials.yaml'), 'utf8'), /supplied-password-1234/);
  t.deepEqual((await generate(options(ws))).reused, ['dev']);
});

test('cache keys do not depend on the order keys were built in', (t) => {
  t.is(stableJson({ b: 1, a: [{ d: 1, c: 'x' }], u: undefined }), stableJson({ a: [{ c: 'x', d: 1 }], b: 1 }));
  t.not(stableJson({ a: [1, 2] }), stableJson({ a: [2, 1] }), 'list order is content');
  t.not(stableJson({ a: '1' }), stableJson({ a: 1 }));
});

test('CLI: --no-cache renders every environment and leaves the caches alone; GEN_GITOPS_TIMINGS=1 shows what was reused', async (t) => {
  const ws = workspace(t);
  t.is((await runIn(ws, ['--all'])).code, 0);
  const stamp = statSync(cacheFile(ws.repo)).mtimeMs;
  const cached = await runIn(ws, ['--all'], { GEN_GITOPS_TIMINGS: '1' });
  t.regex(cached.stderr, /^timing: render \+ check \(3 reused\)\s+\d+ ms$/m);
  t.regex(cached.stderr, /^timing: total\s+\d+ ms$/m);
  const uncached = await runIn(ws, ['--all', '--no-cache'], { GEN_GITOPS_TIMINGS: '1' });
  t.is(uncached.code, 0, uncached.stderr);
  t.regex(uncached.stdout, /up to date/);
  t.regex(uncached.stderr, /^timing: render \+ check \(0 reused\)/m);
  t.is(statSync(cacheFile(ws.repo)).mtimeMs, stamp, 'caches not rewritten');
  t.notRegex((await runIn(ws, ['--all'])).stderr, /timing:/, 'no timings unless asked for');
});

/**
 * Parsed environment files are remembered by content digest in the config
 * repo's .git (cache/source-cache.ts). A remembered parse must behave
 * exactly like a fresh one, error positions included.
 */
import test from 'ava';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, type GenerateOptions } from '../generator/run.js';
import { InputError, formatProblem } from '../generator/errors.js';
import { makeWorkspace } from './helpers/workspace.js';

const sourcesFile = (repo: string) => join(repo, '.git', 'gen-gitops', 'sources.json');
const entries = (repo: string) => Object.keys((JSON.parse(readFileSync(sourcesFile(repo), 'utf8')) as { entries: object }).entries);

function options(ws: { source: string; repo: string }, over: Partial<GenerateOptions> = {}): GenerateOptions {
  return {
    source: ws.source,
    repo: ws.repo,
    envs: ['dev'],
    all: false,
    mode: 'commit',
    diff: false,
    author: { name: 'Test', email: 'test@example.com' },
    environ: {},
    ...over,
  };
}

test('a writing run remembers every file it parsed; a remembered parse is used as is', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  await generate(options(ws));
  t.is(entries(ws.repo).length, 4, 'defaults, dev, stg and prod');

  // Proof that the next run takes the remembered value rather than parsing: alter it in the cache.
  const stored = JSON.parse(readFileSync(sourcesFile(ws.repo), 'utf8')) as { entries: Record<string, { value: { name?: string; mlflow?: { nodePort?: number } } }> };
  const dev = Object.values(stored.entries).find((e) => e.value.name === 'dev')!;
  dev.value.mlflow!.nodePort = 30599;
  writeFileSync(sourcesFile(ws.repo), JSON.stringify(stored));
  const planned = await generate(options(ws, { mode: 'dry-run' }));
  t.true(planned.plan.changes.some((c) => c.path === 'envs/dev/manifests/service-mlflow.yaml' && /nodePort: 30599/.test(c.after ?? '')));
});

test('errors found in remembered files still name their file, line and column', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  await generate(options(ws, { envs: [], all: true }));
  // stg now clashes with dev, whose file is unchanged: dev's parse comes from the cache.
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30502'));
  const error = await t.throwsAsync(generate(options(ws, { envs: ['stg'] })), { instanceOf: InputError });
  t.is(
    formatProblem(error!.problems[0]!).split('\n')[0],
    "environments/stg.yaml:7:13: mlflow.nodePort: NodePort 30502 is also used by environment 'dev' (environments/dev.yaml:7:13) on the same cluster",
  );
});

test('a damaged cache is ignored, files no longer read are dropped, and a dry run writes no cache', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  await generate(options(ws));
  writeFileSync(sourcesFile(ws.repo), '{"format":1,');
  t.is((await generate(options(ws))).status, 'up-to-date');
  t.is(entries(ws.repo).length, 4, 'rewritten after the damaged one was ignored');

  rmSync(ws.envFile('prod'));
  ws.writeEnv('defaults', ws.readEnv('defaults').replace(/^stages: .*$/m, 'stages: [dev, stg]'));
  await generate(options(ws));
  t.is(entries(ws.repo).length, 3, "prod's and the old defaults' parses are gone, the new defaults' is in");

  rmSync(sourcesFile(ws.repo));
  await generate(options(ws, { mode: 'dry-run' }));
  t.false(existsSync(sourcesFile(ws.repo)));
});

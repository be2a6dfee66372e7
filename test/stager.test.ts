import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackgroundStager } from '../generator/repo/stager.js';
import { runIn, makeWorkspace } from './helpers/workspace.js';

function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gen-gitops-stager-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the background stager writes every queued file under the staging folder and reports what it wrote', async (t) => {
  const dir = scratch(t);
  const stager = startBackgroundStager(join(dir, 'new'));
  stager.stage([
    ['envs/a/manifests/x.yaml', 'x: 1\n'],
    ['envs/a/manifests/y.yaml', 'y: ü\n'],
  ]);
  stager.stage(new Map([['envs/b/argocd.json', '{}\n']]));
  const written = await stager.finish();
  t.deepEqual([...written.keys()].sort(), ['envs/a/manifests/x.yaml', 'envs/a/manifests/y.yaml', 'envs/b/argocd.json']);
  t.is(readFileSync(join(dir, 'new/envs/a/manifests/y.yaml'), 'utf8'), 'y: ü\n');
  t.is(readFileSync(join(dir, 'new/envs/b/argocd.json'), 'utf8'), '{}\n');
});

test('a write the stager cannot do makes finish() fail with the reason', async (t) => {
  const dir = scratch(t);
  mkdirSync(join(dir, 'new'));
  writeFileSync(join(dir, 'new', 'envs'), 'a file where a folder must go');
  const stager = startBackgroundStager(join(dir, 'new'));
  stager.stage([['envs/a/manifests/x.yaml', 'x: 1\n']]);
  const error = await t.throwsAsync(stager.finish());
  t.regex(error!.message, /^writing the staged files failed: .*(ENOTDIR|EEXIST)/);
});

test('bad input found while rendering leaves no config repo behind, and an existing folder without .git as it was', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  ws.writeEnv('dev', `${ws.readEnv('dev')}secrets:\n  provider: sealed-secrets\n  sealedSecrets:\n    certificate: ./no-such-cert.pem\n`);
  const fresh = await runIn(ws, ['--env', 'dev']);
  t.is(fresh.code, 2, fresh.stderr);
  t.regex(fresh.stderr, /no-such-cert\.pem: no such file/);
  t.false(existsSync(ws.repo), 'the config repo this run would have created does not exist');

  mkdirSync(ws.repo);
  writeFileSync(join(ws.repo, 'notes.md'), 'mine\n');
  const existing = await runIn(ws, ['--env', 'dev']);
  t.is(existing.code, 2);
  t.false(existsSync(join(ws.repo, '.git')), 'no .git left in the folder');
  t.is(readFileSync(join(ws.repo, 'notes.md'), 'utf8'), 'mine\n');
});

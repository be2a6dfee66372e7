/**
 * End to end through generate(): a sealed-secrets environment rendered into
 * a real local config repo, twice. The committed history must hold no
 * credential value, and the second run must change nothing.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../generator/charts/environment.js';
import { generate, type GenerateOptions } from '../generator/run.js';
import { envYaml, makeSource, unsealObject } from './fixtures/secrets/env.js';
import { makeRsaCert, type TestCert } from './helpers/certs.js';

let dir: string;
let cert: TestCert;
let source: string;
let repo: string;

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealed-e2e-'));
  // Inside the source repository: environment files may only name files there.
  mkdirSync(join(dir, 'source'), { recursive: true });
  cert = makeRsaCert(join(dir, 'source'), { days: 30 });
  source = makeSource({ stg: envYaml('stg', { secrets: `provider: sealed-secrets\nsealedSecrets:\n  certificate: ${cert.certPath}` }) }, dir);
  repo = join(dir, 'gitops');
});

test.after.always(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

function options(over: Partial<GenerateOptions> = {}): GenerateOptions {
  return { source, repo, envs: ['stg'], all: false, mode: 'commit', diff: false, author: { name: 'Test', email: 'test@example.com' }, environ: {}, ...over };
}

function sealedInRepo(): KubeObject[] {
  const manifests = join(repo, 'envs', 'stg', 'manifests');
  return readdirSync(manifests)
    .filter((f) => f.startsWith('sealedsecret-'))
    .map((f) => parse(readFileSync(join(manifests, f), 'utf8')) as KubeObject);
}

test.serial('first run commits SealedSecrets only; no value is anywhere in the history', async (t) => {
  const first = await generate(options());
  t.is(first.status, 'committed');
  const sealed = sealedInRepo();
  t.is(sealed.length, 3);
  const values = new Set(sealed.flatMap((o) => Object.values(unsealObject(cert.keyPem, o))));
  t.is(values.size, 5, 'five credentials, shared ones once');
  const history = git('log', '-p', '--all', '--format=%H %an %s%n%b');
  const tree = git('grep', '-I', '-e', '.', 'HEAD');
  for (const v of values) {
    t.false(history.includes(v), 'a credential value is in git log -p');
    t.false(tree.includes(v));
    t.false(history.includes(Buffer.from(v).toString('base64')));
  }
  t.false(/^kind: Secret$/m.test(tree.replace(/^[^:]+:[^:]+:/gm, '')), 'no plain Secret committed');
});

test.serial('second run with the same inputs leaves the config repo unchanged', async (t) => {
  const head = git('rev-parse', 'HEAD').trim();
  const before = sealedInRepo();
  const second = await generate(options());
  t.is(second.status, 'up-to-date');
  t.is(git('rev-parse', 'HEAD').trim(), head);
  t.is(git('status', '--porcelain'), '');
  t.deepEqual(sealedInRepo(), before);
  const check = await generate(options({ mode: 'check' }));
  t.is(check.status, 'up-to-date');
});

test.serial('a supplied value re-seals only what carries it', async (t) => {
  const before = sealedInRepo();
  const r = await generate(options({ environ: { GEN_GITOPS_STG_POSTGRES_PASSWORD: 'rotated-postgres-pw-01' } }));
  t.is(r.status, 'committed');
  const changed = git('show', '--stat', '--format=', 'HEAD')
    .trim()
    .split('\n')
    .slice(0, -1)
    .map((l) => l.trim().split(/\s+/)[0]);
  t.deepEqual(changed.sort(), ['envs/stg/manifests/sealedsecret-mlflow-secrets-stg.yaml', 'envs/stg/manifests/sealedsecret-stg-postgres-credentials.yaml']);
  const after = sealedInRepo();
  for (const o of after) {
    const old = before.find((b) => b.metadata.name === o.metadata.name)!;
    const v = unsealObject(cert.keyPem, o);
    const w = unsealObject(cert.keyPem, old);
    for (const k of Object.keys(v)) t.is(v[k], k === 'MLFLOW_DB_PASSWORD' || k === 'POSTGRES_PASSWORD' ? 'rotated-postgres-pw-01' : w[k]);
  }
  t.false(git('log', '-p', '--all').includes('rotated-postgres-pw-01'));
  // And once more without the variable: nothing changes.
  t.is((await generate(options())).status, 'up-to-date');
});

test.serial('a changed certificate without values fails before writing anything', async (t) => {
  const other = makeRsaCert(dir, { days: 30 });
  const head = git('rev-parse', 'HEAD').trim();
  const e = await t.throwsAsync(generate(options({ sealedSecretsCert: other.certPath })));
  t.regex(e!.message, /sealing certificate changed/);
  t.is((e as { exitCode?: number }).exitCode, 2);
  t.is(git('rev-parse', 'HEAD').trim(), head);
  t.is(git('status', '--porcelain'), '');
});

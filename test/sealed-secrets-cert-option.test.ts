import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../generator/charts/environment.js';
import { unsealObject } from './fixtures/secrets/env.js';
import { makeRsaCert } from './helpers/certs.js';
import { commitCount, git } from './helpers/git.js';
import { makeWorkspace, runCli, runIn } from './helpers/workspace.js';

function sealedIn(repo: string, env: string): KubeObject[] {
  const dir = join(repo, 'envs', env, 'manifests');
  return readdirSync(dir)
    .filter((f) => f.startsWith('sealedsecret-'))
    .map((f) => parse(readFileSync(join(dir, f), 'utf8')) as KubeObject);
}

test('issue 16.5: --sealed-secrets-cert works without sealedSecrets.certificate in the environment file', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const cert = makeRsaCert(ws.dir, { days: 30 });
  // stg switches to sealed-secrets naming no certificate; dev only sets the scope, no certificate either.
  ws.writeEnv('stg', `${ws.readEnv('stg')}secrets:\n  provider: sealed-secrets\n`);
  ws.writeEnv('dev', `${ws.readEnv('dev')}secrets:\n  provider: sealed-secrets\n  sealedSecrets:\n    scope: cluster-wide\n`);

  const r = await runIn(ws, ['--env', 'stg', '--sealed-secrets-cert', cert.certPath]);
  t.is(r.code, 0, r.stderr);
  t.is(commitCount(ws.repo), 1);
  const sealed = sealedIn(ws.repo, 'stg');
  t.is(sealed.length, 3);
  for (const s of sealed)
    t.true(
      Object.values(unsealObject(cert.keyPem, s)).every((v) => v.length >= 8),
      'sealed for the certificate given on the command line',
    );

  // The scope of the file stays in force; the certificate comes from the command line.
  const d = await runIn(ws, ['--env', 'dev', '--sealed-secrets-cert', cert.certPath]);
  t.is(d.code, 0, d.stderr);
  const devSealed = sealedIn(ws.repo, 'dev');
  t.true(devSealed.length > 0);
  t.true(devSealed.every((s) => (s.metadata as { annotations?: Record<string, string> }).annotations?.['sealedsecrets.bitnami.com/cluster-wide'] === 'true'));

  // A re-run with the same certificate changes nothing.
  const head = git(ws.repo, 'rev-parse', 'HEAD');
  const again = await runIn(ws, ['--env', 'stg,dev', '--sealed-secrets-cert', cert.certPath]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /up to date/);
  t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);

  // validate takes the option too (CI validating sealed environments whose certificate it holds).
  const v = await runCli(['validate', '--source', ws.source, '--sealed-secrets-cert', cert.certPath]);
  t.is(v.code, 0, v.stderr);

  // Without it, nothing names a certificate: refused (exit 2), nothing written.
  const none = await runIn(ws, ['--env', 'stg']);
  t.is(none.code, 2, none.stdout);
  t.regex(none.stderr, /certificate/);
  t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);
});

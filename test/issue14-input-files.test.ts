import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runBounded } from './helpers/bounded.js';
import { makeWorkspace, type Workspace } from './helpers/workspace.js';

function sealedStg(ws: Workspace, certificate: string): void {
  ws.writeEnv('stg', `${ws.readEnv('stg')}secrets:\n  provider: sealed-secrets\n  sealedSecrets:\n    certificate: ${certificate}\n`);
}

function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

const LIMIT = 30_000;

for (const [what, target] of [
  ['/dev/zero', () => '/dev/zero'],
  ['a FIFO inside the source repository', (ws: Workspace) => fifo(join(ws.source, 'environments', 'stg.pem'))],
  ['/etc/passwd', () => '/etc/passwd'],
] as const) {
  test(`issue 14.5: secrets.sealedSecrets.certificate naming ${what}: exit 2 at file:line:col, no hang, nothing read out`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    sealedStg(ws, target(ws));
    const r = await runBounded(ws, ['--env', 'stg'], {}, LIMIT);
    t.false(r.hung, 'the run ends');
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /environments\/stg\.yaml:\d+:\d+: secrets\.sealedSecrets\.certificate/);
    t.regex(r.stderr, /not a regular file|outside the source repository/);
    t.notRegex(r.stderr, /root:|bad_alloc|unexpected/);
  });
}

for (const [what, target] of [
  ['/dev/zero', () => '/dev/zero'],
  ['a FIFO', (ws: Workspace) => fifo(join(ws.dir, 'pg.fifo'))],
] as const) {
  test(`issue 14.5: --secret-file naming ${what}: exit 2, no hang`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    const r = await runBounded(ws, ['--env', 'stg', '--secret-file', `stg.postgresPassword=${target(ws)}`], {}, LIMIT);
    t.false(r.hung, 'the run ends');
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /--secret-file stg\.postgresPassword=.*not a regular file/);
  });

  test(`issue 14.5: --sealed-secrets-cert naming ${what}: exit 2, no hang`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    mkdirSync(join(ws.source, 'environments', 'certs'), { recursive: true });
    sealedStg(ws, 'certs/stg.pem');
    const r = await runBounded(ws, ['--env', 'stg', '--sealed-secrets-cert', target(ws)], {}, LIMIT);
    t.false(r.hung, 'the run ends');
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /--sealed-secrets-cert.*not a regular file/);
  });
}

test('issue 14.5: a certificate file larger than 64 KiB is refused before it is read', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  execFileSync('truncate', ['-s', '10M', join(ws.source, 'environments', 'big.pem')]);
  sealedStg(ws, 'big.pem');
  const r = await runBounded(ws, ['--env', 'stg'], {}, LIMIT);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /environments\/stg\.yaml:\d+:\d+: .*is 10485760 bytes; the limit is 65536/);
});

/**
 * Issue 13.6: supplied credentials may hold any character a component can
 * take (the e2e scenario "credentials with @ : / % # ? & \" ' and a space"
 * proves they work end to end); what a component cannot take at all is
 * refused at render time, naming the credential and the character, never the value.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { makeWorkspace, runIn } from './helpers/workspace.js';

for (const ch of ['=', ',']) {
  test(`issue 13.6: a MinIO root user with '${ch}' is refused naming the credential and the character`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    const value = `minio${ch}user-secret-value`;
    const r = await runIn(ws, ['--env', 'stg'], { GEN_GITOPS_STG_MINIO_ROOT_USER: value });
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /GEN_GITOPS_STG_MINIO_ROOT_USER/);
    t.true(r.stderr.includes(`contains '${ch}'`), r.stderr);
    t.false(r.stderr.includes(value), 'the value is never printed');
    t.false(existsSync(ws.repo), 'nothing written');
  });
}

test('issue 13.6: credentials with @ : / % # ? & " \' and a space render (no URL is composed from them)', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const hostile = `@:/%#?&"' `;
  const r = await runIn(ws, ['--env', 'stg'], {
    GEN_GITOPS_STG_POSTGRES_PASSWORD: `pg-pass${hostile}end`,
    GEN_GITOPS_STG_MINIO_ROOT_USER: `minio${hostile}user`,
    GEN_GITOPS_STG_MINIO_ROOT_PASSWORD: `minio-pass${hostile}end`,
    GEN_GITOPS_STG_MLFLOW_ADMIN_PASSWORD: `admin-pass${hostile}end`,
  });
  t.is(r.code, 0, r.stderr);
});

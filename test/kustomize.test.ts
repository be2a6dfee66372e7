import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { KUSTOMIZE_MISSING, kustomizeBinary } from './helpers/tools.js';
import { makeWorkspace, runIn } from './helpers/workspace.js';

const run = promisify(execFile);

test('kustomize build succeeds on every environment folder and the cluster folder', async (t) => {
  const kustomize = kustomizeBinary();
  if (kustomize === undefined) return t.fail(KUSTOMIZE_MISSING);
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const r = await runIn(ws, ['--all']);
  t.is(r.code, 0, r.stderr);
  for (const dir of ['envs/dev/manifests', 'envs/stg/manifests', 'envs/prod/manifests', 'cluster-resources/in-cluster/manifests']) {
    const { stdout } = await run(kustomize, ['build', join(ws.repo, dir)], { maxBuffer: 16 * 1024 * 1024 });
    const docs = parseAllDocuments(stdout).map((d) => ('toJS' in d ? (d.toJS() as { kind: string }) : undefined));
    t.true(docs.length > 0, dir);
    t.true(
      docs.every((d) => typeof d?.kind === 'string'),
      dir,
    );
    if (dir.startsWith('envs/'))
      t.true(
        docs.some((d) => d?.kind === 'Deployment'),
        dir,
      );
  }
});

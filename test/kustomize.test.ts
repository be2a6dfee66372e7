import test from 'ava';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { makeWorkspace, runIn } from './helpers/workspace.js';

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const run = promisify(execFile);

if (!kubectl) {
  test('kubectl kustomize builds every rendered folder', (t) => {
    t.log('SKIPPED: kubectl is not on PATH, so the kustomize build check did not run');
    t.pass();
  });
} else {
  test('kubectl kustomize builds every environment folder and the cluster folder', async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    const r = await runIn(ws, ['--all']);
    t.is(r.code, 0, r.stderr);
    for (const dir of ['envs/dev/manifests', 'envs/stg/manifests', 'envs/prod/manifests', 'cluster-resources/in-cluster/manifests']) {
      const { stdout } = await run('kubectl', ['kustomize', join(ws.repo, dir)], { maxBuffer: 16 * 1024 * 1024 });
      const docs = parseAllDocuments(stdout).map((d) => ('toJS' in d ? (d.toJS() as { kind: string }) : undefined));
      t.true(docs.length > 0, dir);
      t.true(docs.every((d) => typeof d?.kind === 'string'), dir);
      if (dir.startsWith('envs/')) t.true(docs.some((d) => d?.kind === 'Deployment'), dir);
    }
  });
}

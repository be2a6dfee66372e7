import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyToYaml } from '../generator/promote-edit.js';
import { git } from './helpers/git.js';
import { makeWorkspace, runCli, type Workspace } from './helpers/workspace.js';

const IMAGE = 'ghcr.io/mlflow/mlflow';
const NEW_TAG = 'v3.10.0-full';

/** stg as people write files: CRLF, blank lines, end-of-line comments, flow mappings, and no mlflow.image (inherited from defaults.yaml). */
const STG = [
  '# MLflow stg: staging',
  'name: stg',
  'namespace: mlflow-stg    # one namespace per environment',
  '',
  '',
  'argocd:',
  '  sync: automated   # stg follows main',
  'mlflow:',
  '  nodePort: 30501 # fixed',
  '  resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "1", memory: 2Gi}}',
  '',
  '  # image: inherited from defaults.yaml until promoted',
  'postgres: {name: stg-postgres,   port: 5433}',
  'minio:',
  '  name: minio-stg',
  '',
].join('\r\n');

function commitSource(ws: Workspace, message: string): void {
  git(ws.source, 'add', '-A');
  git(ws.source, '-c', 'user.name=A', '-c', 'user.email=a@example.com', '-c', 'core.autocrlf=false', 'commit', '--quiet', '-m', message);
}

const promote = (ws: Workspace, from: string, to: string) => runCli(['promote', '--from', from, '--to', to, '--source', ws.source, '--repo', ws.repo]);

test('issue 16.6: promote inserts the promoted keys where the target inherits them and keeps every other byte (CRLF, blank lines, comments, flow mappings)', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  git(ws.source, 'init', '--quiet');
  git(ws.source, 'config', 'core.autocrlf', 'false');
  ws.writeEnv('dev', ws.readEnv('dev').replace('mlflow:\n', `mlflow:\n  image:\n    repository: ${IMAGE}\n    tag: ${NEW_TAG}\n`));
  ws.writeEnv('stg', STG);
  const prod = ws.readEnv('prod');
  t.false(prod.includes('image:'), 'the shipped prod inherits its image');
  commitSource(ws, 'environments');
  const all = await runCli(['--all', '--source', ws.source, '--repo', ws.repo]);
  t.is(all.code, 0, all.stderr);

  // dev → stg: three lines inserted at the end of stg's mlflow mapping, in CRLF; nothing else moves.
  const r = await promote(ws, 'dev', 'stg');
  t.is(r.code, 0, r.stderr);
  const inserted = `  image:\r\n    repository: ${IMAGE}\r\n    tag: ${NEW_TAG}\r\n`;
  const resources = '  resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "1", memory: 2Gi}}\r\n';
  t.is(readFileSync(ws.envFile('stg'), 'utf8'), STG.replace(resources, resources + inserted));
  t.regex(readFileSync(join(ws.repo, 'envs/stg/manifests/deployment-mlflow.yaml'), 'utf8'), new RegExp(`image: ${IMAGE}:${NEW_TAG}`));
  commitSource(ws, 'promote dev → stg');

  // stg → prod on the shipped prod.yaml (LF, inherits the image): the same three lines, in LF.
  const p = await promote(ws, 'stg', 'prod');
  t.is(p.code, 0, p.stderr);
  t.is(readFileSync(ws.envFile('prod'), 'utf8'), prod.replace('  nodePort: 30500\n', `  nodePort: 30500\n  image:\n    repository: ${IMAGE}\n    tag: ${NEW_TAG}\n`));
  const again = await promote(ws, 'stg', 'prod');
  t.regex(again.stdout, /already up to date/);

  // Other shapes, edited in place: a flow mapping, an image naming only its repository, a digest replaced by a tag.
  const setting = [{ field: 'mlflow.image', value: { repository: IMAGE, tag: NEW_TAG } }];
  t.is(applyToYaml('name: stg\nmlflow: {nodePort: 30501}   # flow\n', setting), `name: stg\nmlflow: {nodePort: 30501, image: {repository: ${IMAGE}, tag: ${NEW_TAG}}}   # flow\n`);
  t.is(applyToYaml('mlflow: { image: { repository: r,  digest: sha256:abc } }\n', setting), `mlflow: { image: { repository: ${IMAGE}, tag: ${NEW_TAG} } }\n`);
  t.is(
    applyToYaml(`mlflow:\r\n    image:\r\n        repository: '${IMAGE}'  # pinned\r\n\r\n    nodePort: 1\r\n`, setting),
    `mlflow:\r\n    image:\r\n        repository: '${IMAGE}'  # pinned\r\n        tag: ${NEW_TAG}\r\n\r\n    nodePort: 1\r\n`,
  );
  t.is(
    applyToYaml('mlflow:\n  image:\n    digest: sha256:abc # old\n  nodePort: 1\n', setting),
    `mlflow:\n  image:\n    repository: ${IMAGE}\n    tag: ${NEW_TAG}\n  nodePort: 1\n`,
  );
  t.is(applyToYaml('name: stg\nnamespace: x', setting), `name: stg\nnamespace: x\nmlflow:\n  image:\n    repository: ${IMAGE}\n    tag: ${NEW_TAG}\n`);
});

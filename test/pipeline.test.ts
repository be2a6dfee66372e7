/**
 * The pipeline's own contract (generator/pipeline/): the run mode parsed
 * once, the config-repo snapshot read once per folder, and runPipeline
 * driving a ConfigRepoTarget in the same order whatever the target. The
 * targets themselves are exercised end to end by the CLI and delivery tests.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../generator/errors.js';
import { loadInput, specNamed, specOf } from '../generator/pipeline/input.js';
import { parseMode, parsePromoteMode, promotionRunMode, refuseProductionPush, writes, type RunMode } from '../generator/pipeline/mode.js';
import { runPipeline } from '../generator/pipeline/deliver.js';
import type { PlannedRender } from '../generator/pipeline/plan.js';
import { ConfigRepoSnapshot } from '../generator/pipeline/snapshot.js';
import type { ConfigRepoTarget, Published } from '../generator/targets/target.js';
import { projectRoot } from './helpers/workspace.js';

test('parseMode: one mode from the flags, conflicts refused once for local and remote runs', (t) => {
  t.is(parseMode({}, undefined), 'commit');
  t.is(parseMode({ dryRun: true }, undefined), 'dry-run');
  t.is(parseMode({ check: true, dryRun: true }, undefined), 'check');
  t.is(parseMode({ push: true }, 'https://example.com/c.git'), 'push');
  t.is(parseMode({ pr: true }, 'https://example.com/c.git'), 'pr');
  t.is(parseMode({ dryRun: true, pr: true }, 'https://example.com/c.git'), 'dry-run');
  t.is(parseMode({ check: true }, 'https://example.com/c.git'), 'check');
  t.throws(() => parseMode({ push: true, pr: true }, 'https://example.com/c.git'), { instanceOf: UsageError, message: /choose one of --push and --pr/ });
  t.throws(() => parseMode({ pr: true }, undefined), { instanceOf: UsageError, message: /--pr needs a remote config repo/ });
  t.throws(() => parseMode({}, 'https://example.com/c.git'), { instanceOf: UsageError, message: /is a remote: add --push or --pr/ });
  t.deepEqual((['check', 'dry-run', 'commit', 'push', 'pr'] as RunMode[]).filter(writes), ['commit', 'push', 'pr']);
});

test('promote: its mode is parsed once too; a remote promotion without --push or --pr opens a pull request for production only', (t) => {
  const remote = 'https://example.com/c.git';
  t.is(parsePromoteMode({}, undefined), 'deliver');
  t.is(parsePromoteMode({ dryRun: true }, remote), 'dry-run');
  t.is(parsePromoteMode({ pr: true }, remote), 'pr');
  t.throws(() => parsePromoteMode({ push: true }, undefined), { instanceOf: UsageError, message: /--push needs a remote config repo/ });
  t.throws(() => parsePromoteMode({ push: true, pr: true }, remote), { instanceOf: UsageError, message: /choose one of --push and --pr/ });
  t.is(promotionRunMode('deliver', false, true), 'commit');
  t.is(promotionRunMode('deliver', true, true), 'pr');
  t.is(promotionRunMode('deliver', true, false), 'push');
  t.is(promotionRunMode('push', true, true), 'push', 'refused afterwards by refuseProductionPush');
  t.is(promotionRunMode('dry-run', true, true), 'dry-run');
});

test('refuseProductionPush: only push, only for selected production environments', (t) => {
  const prod = loadInput(projectRoot, ['prod'], false);
  const stg = loadInput(projectRoot, ['stg'], false);
  t.throws(() => refuseProductionPush(prod, 'push'), { instanceOf: UsageError, message: /prod is a production environment.*--pr/ });
  t.notThrows(() => refuseProductionPush(prod, 'pr'));
  t.notThrows(() => refuseProductionPush(stg, 'push'));
});

test('specs are resolved once per environment and shared', (t) => {
  const input = loadInput(projectRoot, ['stg'], false);
  const stg = input.all.find((e) => e.name === 'stg')!;
  t.is(specOf(stg), specOf(stg));
  t.is(specNamed(input, 'stg'), specOf(stg));
  t.throws(() => specNamed(input, 'nope'), { message: /not loaded/ });
});

function tree(t: { teardown(f: () => void): void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gen-gitops-snapshot-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  return root;
}

test('ConfigRepoSnapshot reads each folder once and parses objects on first lookup', (t) => {
  const root = tree(t, {
    'envs/dev/manifests/secret-a.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: mlflow-dev\n',
    'envs/dev/argocd.json': '{}\n',
    'argocd/appproject.yaml': 'kind: AppProject\n',
    'README.md': '# config\n',
  });
  // A file's objects without its folder read first: the file is read on demand.
  t.deepEqual(
    ConfigRepoSnapshot.of(root)
      .objectsAt('envs/dev/manifests/secret-a.yaml')
      .map((o) => o.metadata?.name),
    ['a'],
  );
  const snap = ConfigRepoSnapshot.of(root);
  t.deepEqual([...snap.folder('envs/dev/manifests').keys()], ['envs/dev/manifests/secret-a.yaml']);
  t.is(snap.object('Secret', 'mlflow-dev', 'a')?.kind, 'Secret');
  t.is(snap.object('Secret', 'mlflow-dev', 'b'), undefined);
  // With the file it is written to, only that file is looked in (kept credentials parse no other manifest).
  t.deepEqual(
    snap.objectsAt('envs/dev/manifests/secret-a.yaml').map((o) => o.kind),
    ['Secret'],
  );
  t.deepEqual(snap.objectsAt('envs/dev/manifests/other.yaml'), []);
  // Read once: a change on disk after the folder was read is not seen (the snapshot is of one moment).
  writeFileSync(join(root, 'envs/dev/manifests/secret-a.yaml'), 'changed\n');
  t.regex(snap.folder('envs/dev/manifests').get('envs/dev/manifests/secret-a.yaml')!, /kind: Secret/);
  // The plan's view: owned folders and files, adding only what was not read.
  const owned = snap.owned(['envs/dev', 'argocd'], ['README.md', 'envs/dev/argocd.json']);
  t.deepEqual([...owned.keys()].sort(), ['README.md', 'argocd/appproject.yaml', 'envs/dev/argocd.json', 'envs/dev/manifests/secret-a.yaml']);
  t.regex(owned.get('envs/dev/manifests/secret-a.yaml')!, /kind: Secret/);
  t.deepEqual([...snap.folders(['envs/dev']).keys()].sort(), ['envs/dev/argocd.json', 'envs/dev/manifests/secret-a.yaml']);
  t.is(ConfigRepoSnapshot.of(join(root, 'missing')).folder('envs/dev/manifests').size, 0);
  t.is(ConfigRepoSnapshot.empty().owned(['envs'], ['README.md']).size, 0);
});

/** A target that records every step and can be told the remote rejected a push. */
class RecordingTarget implements ConfigRepoTarget {
  readonly root: string;
  readonly display = 'recording';
  readonly steps: string[] = [];
  /** The commit message the pipeline built for the last write. */
  message?: string;
  constructor(
    root: string,
    private readonly rejections = 0,
  ) {
    this.root = root;
  }
  async lock(mode: RunMode) {
    this.steps.push(`lock ${mode}`);
    return async () => void this.steps.push('release');
  }
  async prepare() {
    this.steps.push('prepare');
    return undefined;
  }
  cache() {
    return undefined;
  }
  async snapshot() {
    this.steps.push('snapshot');
    return ConfigRepoSnapshot.of(this.root);
  }
  async write(planned: PlannedRender, message: (manual: string[]) => string) {
    this.steps.push(`write ${planned.plan.changes.length}`);
    this.message = message([]);
    return { commit: 'c'.repeat(40), manual: [] };
  }
  async publish(_commit: string, _planned: PlannedRender, _input: unknown, attempt: number): Promise<Published> {
    this.steps.push(`publish ${attempt}`);
    return attempt <= this.rejections ? 'retry' : { pushed: { branch: 'main', commit: 'c'.repeat(40) } };
  }
  remember() {
    this.steps.push('remember');
  }
  async close(o: { rendered: boolean }) {
    this.steps.push(`close rendered=${o.rendered}`);
  }
}
const inputs = { environ: {}, diff: false };

test('runPipeline: check and dry-run render and plan, never write or remember', async (t) => {
  const root = tree(t, {});
  for (const mode of ['check', 'dry-run'] as const) {
    const target = new RecordingTarget(root);
    const r = await runPipeline(loadInput(projectRoot, ['dev'], false), mode, target, inputs);
    t.is(r.status, mode === 'check' ? 'out-of-date' : 'planned');
    t.true(r.plan.changes.length > 0);
    t.deepEqual(target.steps, [`lock ${mode}`, 'prepare', 'snapshot', 'close rendered=true', 'release']);
  }
});

test('runPipeline: a write run commits, remembers, publishes; a rejected publish renders again on a new snapshot', async (t) => {
  const root = tree(t, {});
  const target = new RecordingTarget(root, 1);
  const r = await runPipeline(loadInput(projectRoot, ['dev'], false), 'push', target, inputs);
  t.is(r.status, 'committed');
  t.deepEqual(r.pushed, { branch: 'main', commit: 'c'.repeat(40) });
  const n = r.plan.changes.length;
  t.deepEqual(target.steps, [
    'lock push',
    'prepare',
    'snapshot',
    `write ${n}`,
    'remember',
    'publish 1',
    'snapshot',
    `write ${n}`,
    'remember',
    'publish 2',
    'close rendered=true',
    'release',
  ]);
  t.regex(target.message!, /^gen-gitops: render dev/);
});

test('runPipeline: bad input fails before any plan, and the target is told so', async (t) => {
  const root = tree(t, {});
  const target = new RecordingTarget(root);
  // A supplied credential MinIO cannot take fails the render.
  await t.throwsAsync(runPipeline(loadInput(projectRoot, ['dev'], false), 'commit', target, { ...inputs, environ: { GEN_GITOPS_DEV_MINIO_ROOT_USER: 'a=b' } }));
  t.deepEqual(target.steps, ['lock commit', 'prepare', 'snapshot', 'close rendered=false', 'release']);
});

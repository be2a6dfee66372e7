import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PromotionSummary } from './targets/remote.js';
import { loadSources } from './environment/load.js';
import { resolveImage } from './environment/resolve.js';
import { parseYamlSource } from './environment/source.js';
import type { EnvironmentFile, ImageFields } from './environment/types.js';
import { isProduction } from './environment/validate.js';
import { InputError, UsageError } from './errors.js';
import type { Author } from './repo/git.js';
import { Layout, SourceLayout } from './repo/layout.js';
import { isRemoteUrl } from './repo/remote.js';
import { applyToYaml } from './promote-edit.js';
import { fromSources, loadInput, type LoadedInput, type RenderInputs } from './pipeline/input.js';
import { promotionRunMode, refuseProductionPush, type PromoteMode } from './pipeline/mode.js';
import { planAgainst } from './pipeline/plan.js';
import { renderChecked } from './pipeline/render.js';
import type { GenerateResult } from './pipeline/result.js';
import { ConfigRepoSnapshot } from './pipeline/snapshot.js';

/**
 * Settings `promote` copies from one stage to the next: the image of every
 * component. Everything else (ports, hosts, sizes, secrets, sync policy) is
 * environment-specific and stays.
 */
export const PROMOTABLE: { path: [keyof EnvironmentFile, string]; applies: (v: EnvironmentFile) => boolean }[] = [
  { path: ['mlflow', 'image'], applies: () => true },
  { path: ['postgres', 'image'], applies: (v) => v.postgres.mode === 'embedded' },
  { path: ['minio', 'image'], applies: (v) => v.minio.mode === 'embedded' },
];

export interface PromoteOptions extends RenderInputs {
  source: string;
  from: string;
  to: string;
  skipStage: boolean;
  /** What to do (parsed at the CLI); the run mode follows once the target is loaded. */
  mode: PromoteMode;
  /** Config repo: local path or remote URL. */
  repo: string;
  workdir?: string;
  githubRepo?: string;
  githubApiUrl?: string;
  insecureApi?: boolean;
  author?: Author;
}

export interface PromotedSetting {
  field: string;
  from: string;
  to: string;
  value: ImageFields;
}

export interface PromoteResult {
  status: 'up-to-date' | 'planned' | 'promoted';
  from: string;
  to: string;
  settings: PromotedSetting[];
  targetFile: string;
  /** The target environment file before and after (dry runs print the difference). */
  before: string;
  after: string;
  delivery?: GenerateResult;
}

function imageOf(v: EnvironmentFile, path: [keyof EnvironmentFile, string]): ImageFields | undefined {
  return (v[path[0]] as unknown as Record<string, ImageFields | undefined>)[path[1]];
}

/** The stage order check: one step forward unless --skip-stage. */
function checkStages(input: LoadedInput, from: string, to: string, skipStage: boolean): void {
  const stages = input.defaults.stages;
  for (const env of [from, to]) {
    if (!input.all.some((e) => e.name === env)) throw new UsageError(`unknown environment '${env}'; known: ${input.all.map((e) => e.name).join(', ')}`);
    if (!stages.includes(env))
      throw new UsageError(`'${env}' is not in stages (${stages.join(' → ') || 'none declared'}) in ${SourceLayout.defaultsFile}; add it to promote through it`);
  }
  const i = stages.indexOf(from);
  const j = stages.indexOf(to);
  if (j <= i) throw new UsageError(`promotion goes forward through ${stages.join(' → ')}: ${to} does not come after ${from}`);
  if (j > i + 1 && !skipStage) {
    throw new UsageError(`promoting ${from} → ${to} skips ${stages.slice(i + 1, j).join(', ')}; promote through each stage, or pass --skip-stage if that is intended`);
  }
}

export function promotableChanges(source: EnvironmentFile, target: EnvironmentFile): PromotedSetting[] {
  const out: PromotedSetting[] = [];
  for (const p of PROMOTABLE) {
    if (!p.applies(source) || !p.applies(target)) continue;
    const s = imageOf(source, p.path);
    const t = imageOf(target, p.path);
    if (!s) continue;
    const from = t ? resolveImage(t).ref : '(none)';
    const to = resolveImage(s).ref;
    if (from !== to) out.push({ field: p.path.join('.'), from, to, value: s });
  }
  return out;
}

function sourceRepoDirty(source: string, file: string): boolean {
  if (!existsSync(join(source, '.git'))) {
    try {
      execFileSync('git', ['rev-parse', '--git-dir'], { cwd: source, stdio: 'ignore' });
    } catch {
      return false; // not a Git checkout: nothing to compare with
    }
  }
  const out = execFileSync('git', ['status', '--porcelain', '--', file], { cwd: source, encoding: 'utf8' });
  return out.trim().length > 0;
}

/** The source stage must be deployed as its file says: its committed output equals today's render. */
async function checkDeployed(input: LoadedInput, from: string, root: string, inputs: RenderInputs): Promise<void> {
  const rendered = await renderChecked({ ...input, selected: [from] }, ConfigRepoSnapshot.empty(), inputs);
  const { plan } = planAgainst(root, ConfigRepoSnapshot.of(root), rendered);
  const own = plan.changes.filter((c) => c.path.startsWith(`${Layout.envDir(from)}/`));
  if (own.length > 0) {
    throw new UsageError(
      `${from} is not deployed as written: its config repo output differs from what ${SourceLayout.envFile(from)} renders today (${own.length} file${own.length === 1 ? '' : 's'}, e.g. ${own[0]!.path}); run gen-gitops --env ${from} and get it merged before promoting from it`,
    );
  }
}

/**
 * The input with the target file as the promotion edits it, read from the
 * edited text (nothing written), so that problems point into it.
 */
function editedInput(source: string, to: string, after: string): LoadedInput {
  const sources = loadSources(join(source, SourceLayout.environmentsDir), source);
  const environments = sources.environments.map((e) => (e.name === to ? { ...e, source: parseYamlSource(Buffer.from(after), e.source.file) } : e));
  return fromSources({ ...sources, environments }, [to], source);
}

/**
 * Problems found in the target file were located in it as the promotion
 * edited it (a key promote added has no line in the file as it is now):
 * say so, and that the file was left as it was.
 */
function inEditedFile(e: unknown, from: string, to: string): unknown {
  if (!(e instanceof InputError)) return e;
  const file = SourceLayout.envFile(to);
  const note = `promote ${from} → ${to} changed nothing; the line above is in ${file} as the promotion would edit it`;
  return new InputError(e.problems.map((p) => (p.location?.file.endsWith(file) ? { ...p, hint: p.hint ? `${p.hint}\n    ${note}` : note } : p)));
}

async function lastCommitOf(root: string, env: string): Promise<string | undefined> {
  try {
    const out = execFileSync('git', ['log', '-1', '--format=%H', '--', Layout.envDir(env)], { cwd: root, encoding: 'utf8' }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

export async function promote(opts: PromoteOptions): Promise<PromoteResult> {
  const input = loadInput(opts.source, [], true);
  checkStages(input, opts.from, opts.to, opts.skipStage);
  const source = input.all.find((e) => e.name === opts.from)!;
  const target = input.all.find((e) => e.name === opts.to)!;
  const targetFile = join(opts.source, SourceLayout.envFile(opts.to));
  const before = readFileSync(targetFile, 'utf8');
  const settings = promotableChanges(source.value, target.value);
  const base = { from: opts.from, to: opts.to, settings, targetFile, before };
  if (settings.length === 0) return { ...base, status: 'up-to-date', after: before };
  if (sourceRepoDirty(opts.source, SourceLayout.envFile(opts.to))) {
    throw new UsageError(`${SourceLayout.envFile(opts.to)} has uncommitted edits; commit or stash them first, so the promotion is the only change to review`);
  }
  const after = applyToYaml(before, settings);

  const remote = isRemoteUrl(opts.repo);
  const root = remote ? undefined : resolve(opts.repo);
  const summary = (sourceCommit?: string): PromotionSummary => ({
    from: opts.from,
    to: opts.to,
    sourceCommit,
    settings: settings.map(({ field, from, to }) => ({ field, from, to })),
  });
  if (root) await checkDeployed(input, opts.from, root, opts);
  const edited = () => {
    try {
      return editedInput(opts.source, opts.to, after);
    } catch (e) {
      throw inEditedFile(e, opts.from, opts.to);
    }
  };
  if (opts.mode === 'dry-run' && root) {
    // Render the edited target against its config repo, as the real run does first, and discard it:
    // what that run would refuse (a PostgreSQL major change on the running volume, say) is refused here too.
    try {
      const input = edited();
      planAgainst(root, ConfigRepoSnapshot.of(root), await renderChecked(input, ConfigRepoSnapshot.of(root), opts));
    } catch (e) {
      throw inEditedFile(e, opts.from, opts.to);
    }
    return { ...base, status: 'planned', after };
  }

  const production = isProduction(target.value);
  // Without --push or --pr, a remote production target gets a pull request and any other a push.
  const mode = promotionRunMode(opts.mode, remote, production);
  // The edited environment travels in memory; its file is written once the config repo has the change.
  const promoted = edited();
  refuseProductionPush(promoted, mode);
  let delivery: GenerateResult;
  try {
    if (remote) {
      const { deliver } = await import('./deliver.js');
      const promotion = summary();
      delivery = await deliver({
        ...opts,
        input: promoted,
        remote: opts.repo,
        envs: [opts.to],
        all: false,
        mode: mode === 'commit' ? 'push' : mode,
        diff: false,
        promotion,
        verify: async (dir) => {
          await checkDeployed(input, opts.from, dir, opts);
          promotion.sourceCommit = await lastCommitOf(dir, opts.from);
        },
      });
    } else {
      const { generate } = await import('./run.js');
      const sourceCommit = await lastCommitOf(root!, opts.from);
      delivery = await generate({ ...opts, input: promoted, repo: root!, envs: [opts.to], all: false, mode: 'commit', diff: false, promotion: summary(sourceCommit) });
    }
  } catch (e) {
    // All or nothing: a promotion that did not reach the config repo leaves the file as it was.
    throw inEditedFile(e, opts.from, opts.to);
  }
  if (mode === 'dry-run') return { ...base, status: 'planned', after, delivery };
  writeFileSync(targetFile, after);
  return { ...base, status: 'promoted', after, delivery };
}

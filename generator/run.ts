import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listEnvironmentNames, loadSources, type LoadedDefaults } from './environment/load.js';
import { environmentSpec } from './environment/spec.js';
import { withCertificateOverride } from './environment/certificate-override.js';
import { runWarnings, validateSources, type ValidEnvironment } from './environment/validate.js';
import { ExitCode, InputError, uniqueProblems, UsageError, UserError, type InputProblem } from './errors.js';
import { phaseDone } from './timing.js';
import { unifiedDiff } from './render/diff.js';
import { planChanges, summarize, type GroupSummary, type Plan } from './render/plan.js';
import type { RenderResult } from './render/render.js';
import { renderAndCheck } from './render/checked.js';
import type { GenerateResult } from './pipeline/result.js';
import { commitMessage, type PromotionNote } from './render/commit-message.js';
import { LocalConfigRepo, type Author } from './repo/git.js';
import { Layout } from './repo/layout.js';
import { readTree, workingTreeText } from './repo/tree.js';
import { lockRepo } from './repo/lock.js';
import { removeCreatedRepo, removeEmptyFolders } from './repo/created.js';
import { applyTransaction, recover, TXN_DIR } from './repo/transaction.js';
import { startBackgroundStager, type BackgroundStager } from './repo/stager.js';
import { orphanWarnings, staleDirs, staleFolders } from './repo/stale.js';
import { credentialEnvVar, CREDENTIALS, suppliedCredentialProblems } from './secrets/credentials.js';
import { RenderCache } from './cache/render-cache.js';
import { SourceCache } from './cache/source-cache.js';
import type { ParseMemo } from './environment/source.js';
import type { EnvironmentSpec } from './environment/types.js';

export interface GenerateOptions extends SecretInputs {
  /** Source repository root (holds environments/). */
  source: string;
  /** Config repository working tree. */
  repo: string;
  envs: string[];
  all: boolean;
  dryRun: boolean;
  diff: boolean;
  check: boolean;
  author?: Author;
  /** A promotion being committed (named in the commit message). */
  promotion?: PromotionNote;
  /** Overwrite uncommitted changes inside gen-gitops's own folders. */
  force?: boolean;
  lockTimeoutMs?: number;
  /** false: ignore and do not update the render and parse caches in the config repo's .git (--no-cache). */
  cache?: boolean;
}

/** What a render reads besides the environment files: credentials, sealing options, the config repo URL. */
export interface SecretInputs {
  environ: Record<string, string | undefined>;
  /** The URL ArgoCD pulls the config repo from, overriding configRepo.url in defaults.yaml. */
  repoUrl?: string;
  reseal?: boolean;
  sealedSecretsCert?: string;
}

export type { GenerateResult, GenerateStatus } from './pipeline/result.js';
export { commitMessage } from './render/commit-message.js';

export interface LoadedInput {
  defaults: LoadedDefaults;
  all: ValidEnvironment[];
  selected: string[];
  warnings: InputProblem[];
  /** The run asked for every environment (--all): its render may remove folders of environments that are gone. */
  everything?: boolean;
  /** The source repository: files the environment files name must lie inside it. */
  source?: string;
}

/**
 * Loads and validates every environment file, and checks the selection.
 * `given`: what the command line supplies for the environments (a Sealed
 * Secrets certificate stands in for one the files do not name).
 */
export function loadInput(source: string, envs: string[], all: boolean, memo?: ParseMemo, given: Pick<SecretInputs, 'sealedSecretsCert'> = {}): LoadedInput {
  // Both would leave it unclear which environments the run is for (and --all would silently win).
  if (all && envs.length > 0) throw new UsageError(`--env ${envs.join(',')} and --all exclude each other: name environments with --env, or render every one with --all`);
  const dir = join(source, 'environments');
  const known = listEnvironmentNames(dir);
  if (!all && envs.length === 0) throw new UsageError(`name an environment with --env <name> or use --all (known: ${known.join(', ') || 'none'})`);
  const unknown = envs.filter((e) => !known.includes(e));
  if (unknown.length > 0) {
    throw new UsageError(`unknown environment${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; known: ${known.join(', ')} (files in ${dir})`);
  }
  const sources = withCertificateOverride(loadSources(dir, source, memo), given.sealedSecretsCert);
  const valid = validateSources(sources);
  const selected = all ? valid.map((v) => v.name) : [...new Set(envs)].sort();
  const warnings = uniqueProblems([...valid.filter((v) => selected.includes(v.name)).flatMap((v) => v.warnings), ...runWarnings(sources, valid, selected)]);
  return { defaults: sources.defaults, all: valid, selected, warnings, source, everything: all };
}

/** Renders and checks every object against its Kubernetes/CRD schema; nothing is written. */
export async function renderChecked(
  input: LoadedInput,
  existing: (dirs: string[]) => Map<string, string>,
  inputs: SecretInputs,
  cache?: RenderCache,
  /** Each environment folder as soon as it is rendered, with what the folder held before. */
  onFolder?: (dir: string, files: Map<string, string>, before: Map<string, string> | undefined, parameters?: [string, string]) => void,
): Promise<RenderResult> {
  const dirs = input.selected.map(Layout.envManifests);
  const previous = existing(dirs);
  const folders = filesByFolder(previous, dirs);
  const supplied = suppliedCredentialProblems(inputs.environ, input.selected);
  if (supplied.length > 0) throw new InputError(supplied);
  if (inputs.sealedSecretsCert) {
    const clusters = new Set(input.all.filter((e) => input.selected.includes(e.name) && e.value.secrets.provider === 'sealed-secrets').map((e) => e.value.cluster.name));
    if (clusters.size > 1) throw new UsageError(`--sealed-secrets-cert names one controller certificate, but the selected sealed-secrets environments run on ${clusters.size} clusters (${[...clusters].join(', ')}); render them one cluster at a time`);
  }
  // Which environments a remembered render vouches for: their folders are taken as they are.
  const reusable = new Map<string, Map<string, string>>();
  if (cache) {
    const byName = new Map(input.all.map((v) => [v.name, v]));
    for (const name of input.selected) {
      const dir = Layout.envManifests(name);
      const folder = folders.get(dir);
      if (!folder || folder.size === 0) continue;
      const spec = environmentSpec(byName.get(name)!);
      if (renderReadsOnlyFolder(spec, inputs) && cache.reproduces(name, cache.key(spec, folder, dir))) reusable.set(name, folder);
    }
  }
  const result = await renderAndCheck(input, previous, inputs, reusable, onFolder && ((dir, files, parameters) => onFolder(dir, files, folders.get(dir), parameters)));
  // --all renders everything envs/ and cluster-resources/ should hold: what else is there goes (planAgainst).
  return input.everything && input.selected.length === input.all.length ? { ...result, complete: { environments: input.all.map((e) => e.name) } } : result;
}

/**
 * Whether rendering this environment reads nothing but its resolved spec
 * and its own folder, so that a remembered render of the same two stands.
 * Sealed Secrets also read a certificate file and the clock (expiry), and
 * supplied credentials or --reseal are explicit requests for new values.
 */
function renderReadsOnlyFolder(spec: EnvironmentSpec, inputs: SecretInputs): boolean {
  if (spec.secrets.provider === 'sealed-secrets' || inputs.reseal === true) return false;
  return !CREDENTIALS.some((id) => (inputs.environ[credentialEnvVar(spec.name, id)] ?? '') !== '');
}

/** Whether a folder's files (path → content) are exactly `files`. */
function sameFiles(before: Map<string, string> | undefined, files: Map<string, string>): boolean {
  if (!before || before.size !== files.size) return false;
  for (const [p, c] of files) if (before.get(p) !== c) return false;
  return true;
}

/** Groups config-repo files by the folder (one of `dirs`) directly holding them. */
function filesByFolder(files: Map<string, string>, dirs: string[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>(dirs.map((d) => [d, new Map()]));
  for (const [p, c] of files) out.get(p.slice(0, p.lastIndexOf('/')))?.set(p, c);
  return out;
}

/**
 * Remembers the environments this run rendered whose folders now hold
 * exactly that render (after a commit, or when already up to date).
 */
export function rememberRenders(cache: RenderCache, rendered: RenderResult, inputs: SecretInputs): void {
  const reused = new Set(rendered.reused);
  const specs = rendered.specs.filter((s) => !reused.has(s.name) && renderReadsOnlyFolder(s, inputs));
  const folders = filesByFolder(rendered.files, specs.map((s) => Layout.envManifests(s.name)));
  for (const spec of specs) {
    const dir = Layout.envManifests(spec.name);
    cache.remember(spec.name, cache.key(spec, folders.get(dir)!, dir));
  }
  cache.save();
}

export interface PlannedRender {
  rendered: RenderResult;
  plan: Plan;
  groups: GroupSummary[];
}

/** Renders, checks, and compares with the config repo working tree at `root` (which may not exist yet). */
export async function planRender(input: LoadedInput, root: string, inputs: SecretInputs, cache?: RenderCache): Promise<PlannedRender> {
  const reader = treeReader(root);
  const rendered = await renderChecked(input, reader.read, inputs, cache);
  return planAgainst(root, rendered, reader.seen());
}

function readTreeIfAny(root: string, dirs: string[], files: string[] = []): Map<string, string> {
  return existsSync(root) ? readTree(root, dirs, files) : new Map<string, string>();
}

/** Folders already read in this run, so the plan does not read them a second time. */
interface ReadFolders {
  dirs: string[];
  files: Map<string, string>;
}

/** Reads folders of the working tree and remembers what it read (for `planAgainst`). */
function treeReader(root: string): { read(dirs: string[]): Map<string, string>; seen(): ReadFolders } {
  const seen: ReadFolders = { dirs: [], files: new Map() };
  return {
    read(dirs) {
      const files = readTreeIfAny(root, dirs);
      seen.dirs.push(...dirs);
      for (const [p, c] of files) seen.files.set(p, c);
      return files;
    },
    seen: () => seen,
  };
}

/**
 * Compares a render with the working tree at `root` as it is now. `already`:
 * folders read earlier in this run and unchanged since (not re-read).
 */
export function planAgainst(root: string, rendered: RenderResult, already?: ReadFolders): PlannedRender {
  if (rendered.complete) {
    // Folders of removed environments (and of clusters they leave empty) are owned and rendered empty:
    // the plan deletes their files and the transaction removes the folders, in the render's commit.
    const gone = staleDirs(staleFolders(root, new Set(rendered.complete.environments), rendered.files.keys()));
    if (gone.length > 0) rendered = { ...rendered, ownedDirs: [...new Set([...rendered.ownedDirs, ...gone])].sort() };
  }
  const done = new Set(already?.dirs ?? []);
  // A path is in a folder already read when one of its parent folders is (a lookup per parent: linear for a fleet).
  const inDone = (path: string) => {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) if (done.has(path.slice(0, i))) return true;
    return false;
  };
  const existing = readTreeIfAny(
    root,
    rendered.ownedDirs.filter((d) => !done.has(d)),
    [...rendered.files.keys()].filter((f) => !inDone(f)),
  );
  for (const [p, c] of already?.files ?? []) existing.set(p, c);
  const plan = planChanges(rendered.files, existing, rendered.ownedDirs);
  return { rendered, plan, groups: summarize(plan) };
}


/**
 * Stops before touching a working tree that holds someone's uncommitted
 * work; `force` lets gen-gitops overwrite it only inside its own folders.
 */
export async function guardUncommitted(repo: LocalConfigRepo, force: boolean): Promise<void> {
  const dirty = await repo.uncommitted();
  if (dirty.length === 0) return;
  const foreign = dirty.filter((p) => !Layout.isOwned(p));
  if (force && foreign.length === 0) return;
  const list = (force ? foreign : dirty).slice(0, 20).map((p) => `  ${p}`).join('\n');
  throw new UserError(
    `the config repo ${repo.root} has uncommitted changes gen-gitops would not overwrite:\n${list}${dirty.length > 20 ? `\n  … and ${dirty.length - 20} more` : ''}\n    hint: ${
      foreign.length > 0 ? 'commit or stash them first' : 'commit or stash them, or pass --force to let gen-gitops overwrite its own folders'
    }`,
    ExitCode.invalidInput,
  );
}

/**
 * Writes the plan into the working tree as one transaction and commits
 * exactly those paths: all or nothing, under the repo lock.
 */
export async function writeAndCommit(
  repo: LocalConfigRepo,
  planned: PlannedRender,
  message: (manual: string[]) => string,
  author?: Author,
  stager?: BackgroundStager,
): Promise<{ commit?: string; manual: string[] }> {
  const { plan, rendered } = planned;
  const manual = await repo.manuallyEdited(plan.changes.filter((c) => c.kind !== 'added').map((c) => c.path));
  const head = await repo.head();
  const files = plan.changes.map((c) => ({ path: c.path, content: c.kind === 'deleted' ? undefined : (c.after ?? '') }));
  // Git builds the commit on another core while the transaction writes the same files.
  const pending = await repo.prepareCommit(files, message(manual), author);
  phaseDone('start git fast-import');
  let finishing = false;
  try {
    const prestaged = stager ? await stager.finish() : undefined;
    phaseDone('background staging done');
    const commit = await applyTransaction(
      repo.root,
      plan.changes,
      rendered.ownedDirs,
      head,
      () => {
        finishing = true;
        return pending.finish();
      },
      prestaged,
    );
    return { commit, manual };
  } catch (e) {
    if (!finishing) await pending.abort();
    throw e;
  }
}

export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  phaseDone('start');
  const root = resolve(opts.repo);
  const caching = opts.cache !== false;
  const parsed = caching ? SourceCache.open(root) : undefined;
  const input = loadInput(opts.source, opts.envs, opts.all, parsed, opts);
  input.warnings.push(...orphanWarnings(root, input.all.map((e) => e.name), input.everything === true));
  phaseDone('load + validate input');
  if (existsSync(join(root, TXN_DIR)) && existsSync(join(root, '.git'))) {
    // A killed run left a half-applied write: put the tree back before anyone reads it.
    const lock = await lockRepo(root, { waitMs: opts.lockTimeoutMs ?? 30_000 });
    try {
      recover(root, await new LocalConfigRepo(root).head());
    } finally {
      await lock.release();
    }
  }
  if (opts.check || opts.dryRun) {
    // Read-only runs use what earlier runs remembered; only runs that write add to it.
    const { plan, groups, rendered } = await planRender(input, root, opts, caching ? RenderCache.open(root) : undefined);
    phaseDone(`render + check + plan (${rendered.reused.length} reused)`);
    const base = { environments: input.selected, plan, groups, diffs: opts.diff ? plan.changes.map(unifiedDiff) : [], warnings: input.warnings, repo: root, reused: rendered.reused };
    if (plan.changes.length === 0) return { ...base, status: 'up-to-date' };
    return { ...base, status: opts.check ? 'out-of-date' : 'planned' };
  }
  // Write runs render under the lock, so what they read stays what they replace, and stage
  // changed folders on another thread while rendering the rest. Anything that fails before the
  // transaction leaves the config repo as it was, removed again if this run created it.
  const hadRoot = existsSync(root);
  // The lock first, the repository created under it: which run created the repository, and that
  // nobody committed into it since, is then certain when a failed first run removes it again.
  const lock = await lockRepo(root, { waitMs: opts.lockTimeoutMs ?? 30_000 });
  let created = false;
  let kept = false;
  let stager: BackgroundStager | undefined;
  try {
    const repo = await LocalConfigRepo.open(root, { create: true });
    created = repo.created;
    const recovered = recover(root, await repo.head());
    await guardUncommitted(repo, opts.force === true);
    await repo.requireBranch(opts.force === true);
    phaseDone('lock + git status');
    // Opened once the repo exists, so that a first run's renders are remembered too.
    const cache = caching ? RenderCache.open(root) : undefined;
    const staging = join(root, TXN_DIR);
    rmSync(staging, { recursive: true, force: true });
    const background = (stager = startBackgroundStager(join(staging, 'new'), workingTreeText(root)));
    const dropStaging = async () => {
      await background.abort();
      rmSync(staging, { recursive: true, force: true });
    };
    const reader = treeReader(root);
    let rendered: RenderResult;
    try {
      rendered = await renderChecked(input, reader.read, opts, cache, (_dir, files, before, parameters) => {
        if (sameFiles(before, files)) return;
        background.stage(files);
        // A new environment: its parameters file is new too (an existing one is left to the transaction).
        if (parameters && (!before || before.size === 0)) background.stage([parameters]);
      });
    } catch (e) {
      await dropStaging();
      throw e;
    }
    const remember = () => {
      if (cache) rememberRenders(cache, rendered, opts);
      parsed?.save(root);
    };
    phaseDone(`render + check (${rendered.reused.length} reused)`);
    const planned = planAgainst(root, rendered, reader.seen());
    phaseDone('plan');
    const { plan, groups } = planned;
    const base = { environments: input.selected, plan, groups, diffs: opts.diff ? plan.changes.map(unifiedDiff) : [], warnings: input.warnings, repo: root, recovered, reused: rendered.reused };
    kept = true;
    if (plan.changes.length === 0) {
      await dropStaging();
      remember();
      return { ...base, status: 'up-to-date' };
    }
    const { commit, manual } = await writeAndCommit(repo, planned, (m) => commitMessage(input.selected, groups, m, opts.promotion), opts.author, background);
    phaseDone('write + commit');
    remember();
    return { ...base, status: commit ? 'committed' : 'up-to-date', commit, manual };
  } catch (e) {
    // Whatever failed before the transaction (a full disk writing the commit stream, a bug):
    // the staging thread must not keep the process alive, nor its files stay. A journal means
    // the transaction owns the folder (it rolled back, or left it for the next run's recovery).
    await stager?.abort();
    if (!existsSync(join(root, TXN_DIR, 'journal.json'))) rmSync(join(root, TXN_DIR), { recursive: true, force: true });
    throw e;
  } finally {
    // Bad input found while rendering: no config repo is left behind by a run that created it.
    // Removed while the lock is held (the lock itself last), so no other run has committed into it.
    if (!kept && created) removeCreatedRepo(root);
    await lock.release();
    if (!kept && created) removeEmptyFolders(root, hadRoot);
  }
}

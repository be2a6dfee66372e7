import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RenderCache } from '../cache/render-cache.js';
import type { SourceCache } from '../cache/source-cache.js';
import { ExitCode, UserError } from '../errors.js';
import type { RenderInputs } from '../pipeline/input.js';
import { writes, type RunMode } from '../pipeline/mode.js';
import type { PlannedRender } from '../pipeline/plan.js';
import { rememberRenders } from '../pipeline/render.js';
import { ConfigRepoSnapshot } from '../pipeline/snapshot.js';
import type { RenderedFolder } from '../render/render.js';
import { removeCreatedRepo, removeEmptyFolders } from '../repo/created.js';
import { LocalConfigRepo, type Author } from '../repo/git.js';
import { Layout } from '../repo/layout.js';
import { lockRepo } from '../repo/lock.js';
import { startBackgroundStager, type BackgroundStager } from '../repo/stager.js';
import { applyTransaction, recover, TXN_DIR } from '../repo/transaction.js';
import { workingTreeText } from '../repo/tree.js';
import { phaseDone } from '../timing.js';
import type { ConfigRepoTarget, Published } from './target.js';

export interface LocalTargetOptions {
  inputs: RenderInputs;
  author?: Author;
  /** Overwrite uncommitted changes inside gen-gitops's own folders. */
  force?: boolean;
  lockTimeoutMs?: number;
  /** false: ignore and do not update the render and parse caches in the config repo's .git (--no-cache). */
  caching: boolean;
  /** The parse cache the input was loaded with (saved after a successful writing run). */
  parsed?: SourceCache;
}

/**
 * A local config repo working tree (created and git-initialised when
 * missing). Writing runs hold its lock from before the repository exists,
 * stage changed folders on another thread while the rest renders, and write
 * through one transaction; a run that fails before its plan leaves no
 * repository it created behind.
 */
export class LocalTarget implements ConfigRepoTarget {
  readonly display: string;
  private repo: LocalConfigRepo | undefined;
  private created = false;
  private readonly hadRoot: boolean;
  private stager: BackgroundStager | undefined;
  private renderCache: RenderCache | undefined;
  /** close() removed the repository this run created: once the lock is released, its empty folders go too. */
  private removedCreated = false;

  constructor(
    readonly root: string,
    private readonly opts: LocalTargetOptions,
  ) {
    this.display = root;
    this.hadRoot = existsSync(root);
  }

  async lock(mode: RunMode): Promise<() => Promise<void>> {
    if (!writes(mode)) return async () => {};
    // The lock first, the repository created under it: which run created the repository, and that
    // nobody committed into it since, is then certain when a failed first run removes it again.
    const lock = await lockRepo(this.root, { waitMs: this.waitMs });
    return async () => {
      await lock.release();
      if (this.removedCreated) removeEmptyFolders(this.root, this.hadRoot);
    };
  }

  private get waitMs(): number {
    return this.opts.lockTimeoutMs ?? 30_000;
  }

  async prepare(mode: RunMode): Promise<'none' | 'rolled-back' | 'cleaned' | undefined> {
    if (!writes(mode)) {
      if (existsSync(join(this.root, TXN_DIR)) && existsSync(join(this.root, '.git'))) {
        // A killed run left a half-applied write: put the tree back before anyone reads it.
        const lock = await lockRepo(this.root, { waitMs: this.waitMs });
        try {
          recover(this.root, await new LocalConfigRepo(this.root).head());
        } finally {
          await lock.release();
        }
      }
      // Read-only runs use what earlier runs remembered; only runs that write add to it.
      this.renderCache = this.opts.caching ? RenderCache.open(this.root) : undefined;
      return undefined;
    }
    const repo = (this.repo = await LocalConfigRepo.open(this.root, { create: true }));
    this.created = repo.created;
    const recovered = recover(this.root, await repo.head());
    await guardUncommitted(repo, this.opts.force === true);
    await repo.requireBranch(this.opts.force === true);
    phaseDone('lock + git status');
    // Opened once the repo exists, so that a first run's renders are remembered too.
    this.renderCache = this.opts.caching ? RenderCache.open(this.root) : undefined;
    // Changed folders are staged on another thread while the rest renders.
    rmSync(this.staging, { recursive: true, force: true });
    this.stager = startBackgroundStager(join(this.staging, 'new'), workingTreeText(this.root));
    return recovered;
  }

  private get staging(): string {
    return join(this.root, TXN_DIR);
  }

  cache(): RenderCache | undefined {
    return this.renderCache;
  }

  async snapshot(): Promise<ConfigRepoSnapshot> {
    return ConfigRepoSnapshot.of(this.root);
  }

  onFolder(folder: RenderedFolder, snapshot: ConfigRepoSnapshot): void {
    const before = snapshot.folder(folder.dir);
    if (sameFiles(before, folder.files)) return;
    this.stager?.stage(folder.files);
    // A new environment: its parameters file is new too (an existing one is left to the transaction).
    if (folder.parameters && before.size === 0) this.stager?.stage([folder.parameters]);
  }

  async write(planned: PlannedRender, message: (manual: string[]) => string): Promise<{ commit?: string; manual: string[] }> {
    return writeAndCommit(this.repo!, planned, message, this.opts.author, this.stager);
  }

  async publish(): Promise<Published> {
    return {};
  }

  remember(planned: PlannedRender): void {
    if (this.renderCache) rememberRenders(this.renderCache, planned.rendered, this.opts.inputs);
    this.opts.parsed?.save(this.root);
  }

  async close(outcome: { rendered: boolean }): Promise<void> {
    // Staging that did not become a transaction goes: the thread must not keep the process
    // alive, nor its files stay. A journal means the transaction owns the folder (it rolled back,
    // or left it for the next run's recovery).
    if (this.stager) {
      await this.stager.abort();
      if (!existsSync(join(this.staging, 'journal.json'))) rmSync(this.staging, { recursive: true, force: true });
    }
    // Bad input found while rendering: no config repo is left behind by a run that created it.
    // Removed while the lock is held (the lock itself last), so no other run has committed into it.
    if (!outcome.rendered && this.created) {
      removeCreatedRepo(this.root);
      this.removedCreated = true;
    }
  }
}

/** Whether a folder's files (path → content) are exactly `files`. */
function sameFiles(before: Map<string, string>, files: Map<string, string>): boolean {
  if (before.size !== files.size) return false;
  for (const [p, c] of files) if (before.get(p) !== c) return false;
  return true;
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
  const list = (force ? foreign : dirty)
    .slice(0, 20)
    .map((p) => `  ${p}`)
    .join('\n');
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

import { resolve } from 'node:path';
import { SourceCache } from './cache/source-cache.js';
import { loadInput, type LoadedInput, type RenderInputs } from './pipeline/input.js';
import type { RunMode } from './pipeline/mode.js';
import { runPipeline } from './pipeline/deliver.js';
import type { GenerateResult } from './pipeline/result.js';
import type { PromotionNote } from './render/commit-message.js';
import type { Author } from './repo/git.js';
import { orphanWarnings } from './repo/stale.js';
import { LocalTarget } from './targets/local.js';
import { phaseDone } from './timing.js';

export type { GenerateResult, GenerateStatus } from './pipeline/result.js';

export interface GenerateOptions extends RenderInputs {
  /** Source repository root (holds environments/). */
  source: string;
  /** Config repository working tree. */
  repo: string;
  envs: string[];
  all: boolean;
  /** What the run does (parsed once, at the CLI): a local config repo takes check, dry-run or commit. */
  mode: Extract<RunMode, 'check' | 'dry-run' | 'commit'>;
  diff: boolean;
  author?: Author;
  /** A promotion being committed (named in the commit message). */
  promotion?: PromotionNote;
  /** Overwrite uncommitted changes inside gen-gitops's own folders. */
  force?: boolean;
  lockTimeoutMs?: number;
  /** false: ignore and do not update the render and parse caches in the config repo's .git (--no-cache). */
  cache?: boolean;
  /** The input, when the caller already has it (promote hands the edited environment in memory). */
  input?: LoadedInput;
}

/** A local config repo run: the working tree at `repo` and the pipeline. */
export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  phaseDone('start');
  const root = resolve(opts.repo);
  const caching = opts.cache !== false;
  const parsed = caching && !opts.input ? SourceCache.open(root) : undefined;
  const input = opts.input ?? loadInput(opts.source, opts.envs, opts.all, parsed, opts);
  input.warnings.push(
    ...orphanWarnings(
      root,
      input.all.map((e) => e.name),
      input.everything === true,
    ),
  );
  phaseDone('load + validate input');
  const target = new LocalTarget(root, { inputs: opts, author: opts.author, force: opts.force, lockTimeoutMs: opts.lockTimeoutMs, caching, parsed });
  return runPipeline(input, opts.mode, target, opts);
}

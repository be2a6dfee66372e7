import type { RenderCache } from '../cache/render-cache.js';
import type { LoadedInput } from '../pipeline/input.js';
import type { RunMode } from '../pipeline/mode.js';
import type { PlannedRender } from '../pipeline/plan.js';
import type { GenerateResult } from '../pipeline/result.js';
import type { ConfigRepoSnapshot } from '../pipeline/snapshot.js';
import type { RenderedFolder } from '../render/render.js';

/** What publishing a commit did; `retry`: the remote moved meanwhile, render again on its new tip. */
export type Published = Pick<GenerateResult, 'pushed' | 'pullRequest'> | 'retry';

/** What the target does with a render that changes nothing on the branch it checked out. */
export type AlreadyThere = Pick<GenerateResult, 'pullRequest'> & Partial<Pick<GenerateResult, 'plan' | 'groups'>>;

/**
 * Where a run's render goes: a local working tree (LocalTarget) or a working
 * clone of a remote (RemoteTarget). The pipeline (pipeline/deliver.ts) drives
 * every run through these steps, in this order, whatever the target; every
 * side effect on the config repo lives behind them.
 */
export interface ConfigRepoTarget {
  /** The working tree the render is planned against and written into. */
  readonly root: string;
  /** How results name the config repo (a path, or a URL without credentials). */
  readonly display: string;
  /** Takes the target's lock for the whole run (a no-op where the mode needs none); returns its release. */
  lock(mode: RunMode): Promise<() => Promise<void>>;
  /** Readies the working tree (create or clone, recover, guards); says what was done about an interrupted write. */
  prepare(mode: RunMode, input: LoadedInput): Promise<GenerateResult['recovered']>;
  /** Remembered renders to reuse (and, in writing modes, to add to); undefined with --no-cache. */
  cache(): RenderCache | undefined;
  /** The working tree to render against for attempt `attempt` (1, 2, … after a rejected push). */
  snapshot(mode: RunMode, input: LoadedInput): Promise<ConfigRepoSnapshot>;
  /** Each environment folder as it is rendered (writing modes only): a chance to stage it early. */
  onFolder?(folder: RenderedFolder, snapshot: ConfigRepoSnapshot): void;
  /**
   * The plan against `snapshot` may not be the one to write (asked in every
   * mode; only a target that checked out a branch of its own answers other
   * than `{ planned }`): a pull-request
   * branch that already carries this render is left alone (returns what to
   * report); otherwise the target may move the working tree (back to the
   * base) and returns the planned render to write instead.
   */
  settle?(planned: PlannedRender, input: LoadedInput): Promise<{ done: AlreadyThere } | { planned: PlannedRender }>;
  /** Writes the plan and commits it (all or nothing). */
  write(planned: PlannedRender, message: (manual: string[]) => string): Promise<{ commit?: string; manual: string[] }>;
  /** Delivers the commit (push, pull request); nothing for a local repo. */
  publish(commit: string, planned: PlannedRender, input: LoadedInput, attempt: number): Promise<Published>;
  /** Saves what this run learnt (render and parse caches) after a successful writing run. */
  remember(planned: PlannedRender): void;
  /** Ends the run, however it ended: `rendered` false when no plan was reached (a repo it created goes again). */
  close(outcome: { rendered: boolean }): Promise<void>;
}

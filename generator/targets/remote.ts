import { createHash } from 'node:crypto';
import { RenderCache } from '../cache/render-cache.js';
import { ExitCode, UserError } from '../errors.js';
import { packageVersion } from '../paths.js';
import type { LoadedInput, RenderInputs } from '../pipeline/input.js';
import type { RunMode } from '../pipeline/mode.js';
import { planAgainst, type PlannedRender } from '../pipeline/plan.js';
import { rememberRenders } from '../pipeline/render.js';
import { ConfigRepoSnapshot } from '../pipeline/snapshot.js';
import type { PromotionNote } from '../render/commit-message.js';
import type { Plan } from '../render/plan.js';
import { summarizeChanges } from '../render/summary.js';
import { renderTemplate } from '../render/templates.js';
import { DEFAULT_AUTHOR, LocalConfigRepo, type Author } from '../repo/git.js';
import type { PullRequest, PullRequestClient } from '../repo/github.js';
import { COMMIT_SUBJECT_PREFIX } from '../repo/commit-marker.js';
import { SourceLayout } from '../repo/layout.js';
import { lockRepo } from '../repo/lock.js';
import { redactUrl, type RemoteWorkdir } from '../repo/remote.js';
import { orphanWarnings } from '../repo/stale.js';
import { writeAndCommit } from './local.js';
import type { AlreadyThere, ConfigRepoTarget, Published } from './target.js';

/** What `promote` copied, for reviewers: each setting old → new and where it came from. */
export interface PromotionSummary extends PromotionNote {
  to: string;
}

export interface RemoteTargetOptions {
  inputs: RenderInputs;
  author?: Author;
  lockTimeoutMs?: number;
  /** false: ignore and do not update the render cache in the working clone (--no-cache). */
  caching: boolean;
  /** Push attempts when the remote moves meanwhile. */
  attempts?: number;
  /** --github-repo, named when GitHub's default branch is not on the remote. */
  githubRepo?: string;
  /** Promotion being delivered: listed in the pull request. */
  promotion?: PromotionSummary;
  /** Runs on the fresh working clone before rendering (promotion guards). */
  verify?: (workdirRoot: string) => Promise<void>;
  /** Test hook: runs after the commit and before each push (to move the remote in between). */
  beforePush?: (attempt: number) => Promise<void>;
}

/** Longest PR branch name: a ref is a file under .git/refs, and names past NAME_MAX fail to push. */
export const MAX_PR_BRANCH = 100;

/**
 * `gen-gitops/<env>_<env>…`: one branch (and so one pull request) per set of
 * environments. `_` never occurs in an environment name (a DNS label), so
 * {dev-eu, stg} and {dev, eu-stg} get different branches. A set too long to
 * spell out is named by its size and a stable hash of the names.
 */
export function prBranch(environments: string[]): string {
  const names = [...new Set(environments)].sort();
  const spelled = `gen-gitops/${names.join('_')}`;
  if (spelled.length <= MAX_PR_BRANCH) return spelled;
  const hash = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 12);
  return `gen-gitops/${names.length}-environments-${hash}`;
}

/**
 * A working clone of a remote config repo (in the cache folder, or
 * --workdir). Every mode holds its lock: two runs sharing a clone would reset
 * each other's work. `push` commits on the default branch; `pr` on
 * gen-gitops/<envs>, rebuilt from the default branch each run and
 * force-pushed (only that branch), with a pull request opened or updated.
 */
export class RemoteTarget implements ConfigRepoTarget {
  readonly root: string;
  readonly display: string;
  private base = '';
  private branch = '';
  private onBranch = false;
  private renderCache: RenderCache | undefined;
  private mode: RunMode = 'check';

  constructor(
    private readonly workdir: RemoteWorkdir,
    private readonly github: PullRequestClient | undefined,
    private readonly opts: RemoteTargetOptions,
  ) {
    this.root = workdir.dir;
    this.display = redactUrl(workdir.url);
  }

  async lock(): Promise<() => Promise<void>> {
    const lock = await lockRepo(this.workdir.dir, { waitMs: this.opts.lockTimeoutMs ?? 30_000, stateDir: `${this.workdir.dir}.state` });
    return () => lock.release();
  }

  async prepare(mode: RunMode, input: LoadedInput): Promise<undefined> {
    const workdir = this.workdir;
    this.mode = mode;
    await workdir.prepare();
    // Folders of environments whose file is gone: --all removes them, a narrower run says so (issue 16.2).
    input.warnings.push(
      ...orphanWarnings(
        workdir.dir,
        input.all.map((e) => e.name),
        input.everything === true,
      ),
    );
    await this.opts.verify?.(workdir.dir);
    const base = this.github ? await this.github.defaultBranch() : workdir.defaultBranch;
    if (mode === 'pr' && !(await workdir.hasRemoteBranch(base))) {
      // A pull request needs a base: an empty remote gets an empty first commit; a remote whose
      // branches do not include the one GitHub names is another repository than --github-repo's.
      if (!(await workdir.remoteIsEmpty())) {
        throw new UserError(
          `GitHub says the default branch of ${this.opts.githubRepo ?? 'the repository'} is '${base}', but ${workdir.display} has no branch '${base}'\n    hint: check that --github-repo and --repo name the same repository`,
        );
      }
      await workdir.startEmptyRemote(base, this.opts.author ?? DEFAULT_AUTHOR);
    }
    if (base !== workdir.defaultBranch) {
      workdir.defaultBranch = base;
      await workdir.resetTo(base);
    }
    this.base = base;
    this.branch = mode === 'pr' ? prBranch(input.selected) : base;
    return undefined;
  }

  cache(): RenderCache | undefined {
    this.renderCache = this.opts.caching ? RenderCache.open(this.workdir.dir) : undefined;
    return this.renderCache;
  }

  async snapshot(mode: RunMode): Promise<ConfigRepoSnapshot> {
    // A PR branch that is one commit on the current base is rendered against first: a re-run with
    // nothing new then finds nothing to do (no commit, no push, no PATCH that would re-trigger the
    // PR's checks or dismiss approvals), and Sealed Secrets ciphertexts already on the branch are kept.
    this.onBranch = mode === 'pr' && (await this.workdir.checkoutBranchOnTip(this.branch, this.base));
    return ConfigRepoSnapshot.of(this.workdir.dir);
  }

  async settle(planned: PlannedRender, input: LoadedInput): Promise<{ done: AlreadyThere } | { planned: PlannedRender }> {
    if (!this.onBranch) return { planned };
    if (planned.plan.changes.length === 0) return { done: await this.alreadyCarried(planned, input) };
    // Something new: the branch is rebuilt from the base, and the plan (and PR body) is against the base.
    await this.workdir.resetTo(this.base);
    return { planned: planAgainst(this.workdir.dir, ConfigRepoSnapshot.of(this.workdir.dir), planned.rendered) };
  }

  /**
   * The PR branch already holds exactly this render: nothing is committed or
   * pushed. An open pull request is left as it is; without one (closed, or
   * never opened) one is opened for the branch as it stands.
   */
  private async alreadyCarried(planned: PlannedRender, input: LoadedInput): Promise<AlreadyThere> {
    const existing = await this.github!.findOpenPullRequest(this.branch);
    if (existing) return { pullRequest: { ...existing, action: 'unchanged' } };
    // The PR body describes the change against the base.
    await this.workdir.resetTo(this.base);
    const { plan, groups } = planAgainst(this.workdir.dir, ConfigRepoSnapshot.of(this.workdir.dir), planned.rendered);
    const pullRequest = await this.openOrUpdate(input, plan);
    return { plan, groups, pullRequest };
  }

  async write(planned: PlannedRender, message: (manual: string[]) => string): Promise<{ commit?: string; manual: string[] }> {
    if (this.mode === 'pr') await this.workdir.git.run(this.workdir.dir, ['checkout', '--quiet', '-B', this.branch]);
    const repo = await LocalConfigRepo.open(this.workdir.dir, { create: false });
    const { commit } = await writeAndCommit(repo, planned, message, this.opts.author);
    // Hand edits overwritten are named for local runs; a clone has none of its own.
    return { commit, manual: [] };
  }

  async publish(commit: string, planned: PlannedRender, input: LoadedInput, attempt: number): Promise<Published> {
    await this.opts.beforePush?.(attempt);
    // Our own PR branch is rebuilt from the default branch each run: force is safe there, never on the default branch.
    const pushed = await this.workdir.push(this.branch, { force: this.mode === 'pr' });
    if (pushed === 'pushed') {
      const pullRequest = this.github ? await this.openOrUpdate(input, planned.plan) : undefined;
      return { pushed: { branch: this.branch, commit }, pullRequest };
    }
    // Someone pushed meanwhile: keep our commit reachable, re-render on the new tip.
    const kept = `gen-gitops/unpushed-${commit.slice(0, 12)}`;
    await this.workdir.keep(kept, commit);
    const attempts = this.opts.attempts ?? 3;
    if (attempt >= attempts) {
      throw new UserError(
        `pushing to ${this.workdir.display} was rejected ${attempts} times because the remote kept moving; nothing was force-pushed.\n    hint: run again; the last rendered commit is kept as branch ${kept} in ${this.workdir.dir}`,
        ExitCode.failure,
      );
    }
    await this.workdir.fetch();
    await this.workdir.resetTo(this.base);
    return 'retry';
  }

  remember(planned: PlannedRender): void {
    if (this.renderCache) rememberRenders(this.renderCache, planned.rendered, this.opts.inputs);
  }

  async close(): Promise<void> {}

  private async openOrUpdate(input: LoadedInput, plan: Plan): Promise<PullRequest & { action: 'opened' | 'updated' }> {
    const github = this.github!;
    const summary = summarizeChanges(plan);
    const context = {
      environments: input.selected,
      images: summary.groups.flatMap((g) => g.images),
      summary,
      base: this.base,
      marker: COMMIT_SUBJECT_PREFIX,
      promotion: this.opts.promotion,
      version: packageVersion,
      sources: input.selected.map(SourceLayout.envFile),
    };
    const title = renderTemplate('pr-title.hbs', context).trim();
    const body = renderTemplate('pr-body.md.hbs', context);
    const existing = await github.findOpenPullRequest(this.branch);
    if (existing) return { ...(await github.updatePullRequest(existing.number, { title, body })), action: 'updated' };
    return { ...(await github.openPullRequest({ head: this.branch, base: this.base, title, body })), action: 'opened' };
  }
}

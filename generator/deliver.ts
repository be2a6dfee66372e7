import { createHash } from 'node:crypto';
import { isProduction } from './environment/validate.js';
import { ExitCode, UsageError, UserError } from './errors.js';
import { lockRepo } from './repo/lock.js';
import { packageVersion } from './paths.js';
import { unifiedDiff } from './render/diff.js';
import type { GroupSummary, Plan } from './render/plan.js';
import { summarizeChanges } from './render/summary.js';
import { renderTemplate } from './render/templates.js';
import { DEFAULT_AUTHOR, LocalConfigRepo, type Author } from './repo/git.js';
import type { PullRequest } from './repo/github.js';
import { defaultWorkdir, redactUrl, RemoteWorkdir } from './repo/remote.js';
import { RenderCache } from './cache/render-cache.js';
import { orphanWarnings } from './repo/stale.js';
import { commitMessage, loadInput, planAgainst, planRender, rememberRenders, writeAndCommit, type GenerateResult, type LoadedInput, type PlannedRender, type SecretInputs } from './run.js';

export interface DeliverOptions extends SecretInputs {
  source: string;
  /** Remote URL of the config repo. */
  remote: string;
  workdir?: string;
  envs: string[];
  all: boolean;
  mode: 'push' | 'pr' | 'dry-run' | 'check';
  diff: boolean;
  author?: Author;
  githubRepo?: string;
  githubApiUrl?: string;
  /** Allow a plain-http API URL that is not on this machine (the token then travels unencrypted). */
  insecureApi?: boolean;
  lockTimeoutMs?: number;
  /** false: ignore and do not update the render cache in the working clone (--no-cache). */
  cache?: boolean;
  /** Push attempts when the remote moves meanwhile. */
  attempts?: number;
  /** Promotion being delivered: listed in the pull request and commit message. */
  promotion?: PromotionSummary;
  /** Runs on the fresh working clone before rendering (promotion guards). */
  verify?: (workdirRoot: string) => Promise<void>;
  /** Test hook: runs after the commit and before each push (to move the remote in between). */
  beforePush?: (attempt: number) => Promise<void>;
}

/** What `promote` copied, for reviewers: each setting old → new and where it came from. */
export interface PromotionSummary {
  from: string;
  to: string;
  /** The source environment's latest config-repo commit. */
  sourceCommit?: string;
  settings: { field: string; from: string; to: string }[];
}

export type DeliverResult = GenerateResult;

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

const GITHUB_HOST = 'github.com';

/** 127.0.0.0/8, ::1 and localhost: a plain-http API there never leaves the machine. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The API URL's host, after refusing what would leak the token: credentials
 * in the URL itself (and in messages), and plain http to anything but this
 * machine unless --insecure-api says that network is trusted.
 */
function apiHost(apiUrl: string | undefined, origin: string, insecure: boolean): string | undefined {
  if (!apiUrl) return undefined;
  let u: URL;
  try {
    u = new URL(apiUrl);
  } catch {
    throw new UsageError(`${origin} must be a URL like https://github.example.com/api/v3, got "${redactUrl(apiUrl)}"`);
  }
  if (u.username || u.password) throw new UsageError(`${origin} carries credentials (the part before @): give the URL without them; the token goes in GITHUB_TOKEN`);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError(`${origin} must be an https URL like https://github.example.com/api/v3, got ${u.protocol}`);
  if (u.protocol === 'http:' && !isLoopback(u.hostname) && !insecure) {
    throw new UsageError(
      `${origin} ${u.origin} is plain http: GITHUB_TOKEN would cross the network unencrypted\n    hint: use https; or, only on a network you trust, pass --insecure-api`,
    );
  }
  return u.host;
}

export async function deliver(opts: DeliverOptions): Promise<DeliverResult> {
  // --sealed-secrets-cert stands in for a certificate the environment file does not name (issue 16.5), as in local runs.
  const input = loadInput(opts.source, opts.envs, opts.all, undefined, opts);
  if (opts.mode === 'push') {
    const protectedEnvs = input.all.filter((e) => input.selected.includes(e.name) && isProduction(e.value));
    if (protectedEnvs.length > 0) {
      throw new UsageError(
        `${protectedEnvs.map((e) => e.name).join(', ')} is a production environment: changes reach it only through a reviewed pull request; run with --pr instead of --push`,
      );
    }
  }
  const apiUrl = opts.githubApiUrl ?? opts.environ.GITHUB_API_URL;
  const token = opts.environ.GITHUB_TOKEN;
  // Checked in every mode (the host also decides which https remotes get the token); plain http
  // matters only where the API is called with the token, in --pr.
  const host = apiHost(apiUrl, opts.githubApiUrl !== undefined ? '--github-api-url' : 'GITHUB_API_URL', opts.insecureApi === true || opts.mode !== 'pr');
  const hosts = [GITHUB_HOST, ...(host ? [host] : [])];
  const workdir = new RemoteWorkdir(opts.remote, opts.workdir ?? defaultWorkdir(opts.remote, opts.environ), { token, hosts }, opts.environ);

  // Fail on a missing PR setting before touching the network.
  const github = opts.mode === 'pr' ? await pullRequestClient(opts, token, apiUrl) : undefined;

  // Two runs sharing a working clone would reset each other's work.
  const lock = await lockRepo(workdir.dir, { waitMs: opts.lockTimeoutMs ?? 30_000, stateDir: `${workdir.dir}.state` });
  try {
    return await deliverLocked(opts, input, workdir, github);
  } finally {
    await lock.release();
  }
}

async function deliverLocked(opts: DeliverOptions, input: LoadedInput, workdir: RemoteWorkdir, github: Awaited<ReturnType<typeof pullRequestClient>> | undefined): Promise<DeliverResult> {
  await workdir.prepare();
  // Folders of environments whose file is gone: --all removes them, a narrower run says so (issue 16.2).
  input.warnings.push(...orphanWarnings(workdir.dir, input.all.map((e) => e.name), input.everything === true));
  await opts.verify?.(workdir.dir);
  const base = github ? await github.defaultBranch() : workdir.defaultBranch;
  if (opts.mode === 'pr' && !(await workdir.hasRemoteBranch(base))) {
    // A pull request needs a base: an empty remote gets an empty first commit; a remote whose
    // branches do not include the one GitHub names is another repository than --github-repo's.
    if (!(await workdir.remoteIsEmpty())) {
      throw new UserError(`GitHub says the default branch of ${opts.githubRepo ?? 'the repository'} is '${base}', but ${workdir.display} has no branch '${base}'\n    hint: check that --github-repo and --repo name the same repository`);
    }
    await workdir.startEmptyRemote(base, opts.author ?? DEFAULT_AUTHOR);
  }
  if (base !== workdir.defaultBranch) {
    workdir.defaultBranch = base;
    await workdir.resetTo(base);
  }

  const attempts = opts.attempts ?? 3;
  let kept: string | undefined;
  const branch = opts.mode === 'pr' ? prBranch(input.selected) : base;
  for (let attempt = 1; ; attempt++) {
    const cache = opts.cache === false ? undefined : RenderCache.open(workdir.dir);
    // A PR branch that is one commit on the current base is rendered against first: a re-run with
    // nothing new then finds nothing to do (no commit, no push, no PATCH that would re-trigger the
    // PR's checks or dismiss approvals), and Sealed Secrets ciphertexts already on the branch are kept.
    const onBranch = opts.mode === 'pr' && (await workdir.checkoutBranchOnTip(branch, base));
    let planned = await planRender(input, workdir.dir, opts, cache);
    if (onBranch) {
      if (planned.plan.changes.length === 0) return await alreadyCarried(opts, input, workdir, github!, { branch, base, planned, cache });
      // Something new: the branch is rebuilt from the base, and the plan (and PR body) is against the base.
      await workdir.resetTo(base);
      planned = planAgainst(workdir.dir, planned.rendered);
    }
    const { plan, groups } = planned;
    const result = resultBase(input, plan, groups, opts, workdir);
    if (opts.mode === 'check') return { ...result, status: plan.changes.length > 0 ? 'out-of-date' : 'up-to-date' };
    if (plan.changes.length === 0) {
      if (opts.mode !== 'dry-run' && cache) rememberRenders(cache, planned.rendered, opts);
      return { ...result, status: 'up-to-date' };
    }
    if (opts.mode === 'dry-run') return { ...result, status: 'planned' };

    if (opts.mode === 'pr') await workdir.git.run(workdir.dir, ['checkout', '--quiet', '-B', branch]);
    const repo = await LocalConfigRepo.open(workdir.dir, { create: false });
    const { commit } = await writeAndCommit(repo, planned, (manual) => commitMessage(input.selected, groups, manual, opts.promotion), opts.author);
    if (cache) rememberRenders(cache, planned.rendered, opts);
    if (!commit) return { ...result, status: 'up-to-date' };
    await opts.beforePush?.(attempt);
    // Our own PR branch is rebuilt from the default branch each run: force is safe there, never on the default branch.
    const pushed = await workdir.push(branch, { force: opts.mode === 'pr' });
    if (pushed === 'pushed') {
      const pullRequest = github ? await openOrUpdate(github, { branch, base, input, plan, promotion: opts.promotion }) : undefined;
      return { ...result, status: 'committed', commit, pushed: { branch, commit }, pullRequest };
    }
    // Someone pushed meanwhile: keep our commit reachable, re-render on the new tip.
    kept = `gen-gitops/unpushed-${commit.slice(0, 12)}`;
    await workdir.keep(kept, commit);
    if (attempt >= attempts) {
      throw new UserError(
        `pushing to ${workdir.display} was rejected ${attempts} times because the remote kept moving; nothing was force-pushed.\n    hint: run again; the last rendered commit is kept as branch ${kept} in ${workdir.dir}`,
        ExitCode.failure,
      );
    }
    await workdir.fetch();
    await workdir.resetTo(base);
  }
}

/**
 * The PR branch already holds exactly this render: nothing is committed or
 * pushed. An open pull request is left as it is; without one (closed, or
 * never opened) one is opened for the branch as it stands.
 */
async function alreadyCarried(
  opts: DeliverOptions,
  input: LoadedInput,
  workdir: RemoteWorkdir,
  github: Awaited<ReturnType<typeof pullRequestClient>>,
  p: { branch: string; base: string; planned: PlannedRender; cache?: RenderCache },
): Promise<DeliverResult> {
  if (p.cache) rememberRenders(p.cache, p.planned.rendered, opts);
  const existing = await github.findOpenPullRequest(p.branch);
  if (existing) {
    const { plan, groups } = p.planned;
    return { ...resultBase(input, plan, groups, opts, workdir), status: 'up-to-date', pullRequest: { ...existing, action: 'unchanged' } };
  }
  // The PR body describes the change against the base.
  await workdir.resetTo(p.base);
  const { plan, groups } = planAgainst(workdir.dir, p.planned.rendered);
  const pullRequest = await openOrUpdate(github, { branch: p.branch, base: p.base, input, plan, promotion: opts.promotion });
  return { ...resultBase(input, plan, groups, opts, workdir), status: 'up-to-date', pullRequest };
}

function resultBase(input: LoadedInput, plan: Plan, groups: GroupSummary[], opts: DeliverOptions, workdir: RemoteWorkdir) {
  return {
    environments: input.selected,
    plan,
    groups,
    diffs: opts.diff ? plan.changes.map(unifiedDiff) : [],
    warnings: input.warnings,
    repo: redactUrl(workdir.url),
  };
}

async function pullRequestClient(opts: DeliverOptions, token: string | undefined, apiUrl: string | undefined) {
  const { createGitHubClient, parseGitHubRemote } = await import('./repo/github.js');
  const target = opts.githubRepo ? parseOwnerRepo(opts.githubRepo) : parseGitHubRemote(opts.remote);
  if (!target) throw new UsageError(`cannot tell the GitHub repository from ${redactUrl(opts.remote)}; pass --github-repo owner/name`);
  if (!token) throw new UsageError('--pr needs a GitHub token in GITHUB_TOKEN (scopes: repo, or fine-grained contents: write + pull requests: write)');
  return createGitHubClient({ owner: target.owner, repo: target.repo, token, apiUrl });
}

function parseOwnerRepo(s: string): { owner: string; repo: string } {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(s);
  if (!m) throw new UsageError(`--github-repo must be owner/name, got "${s}"`);
  return { owner: m[1]!, repo: m[2]! };
}

async function openOrUpdate(
  github: Awaited<ReturnType<typeof pullRequestClient>>,
  p: { branch: string; base: string; input: LoadedInput; plan: Plan; promotion?: PromotionSummary },
): Promise<PullRequest & { action: 'opened' | 'updated' }> {
  const summary = summarizeChanges(p.plan);
  const context = {
    environments: p.input.selected,
    images: summary.groups.flatMap((g) => g.images),
    summary,
    base: p.base,
    promotion: p.promotion,
    version: packageVersion,
    sources: p.input.selected.map((e) => `environments/${e}.yaml`),
  };
  const title = renderTemplate('pr-title.hbs', context).trim();
  const body = renderTemplate('pr-body.md.hbs', context);
  const existing = await github.findOpenPullRequest(p.branch);
  if (existing) return { ...(await github.updatePullRequest(existing.number, { title, body })), action: 'updated' };
  return { ...(await github.openPullRequest({ head: p.branch, base: p.base, title, body })), action: 'opened' };
}

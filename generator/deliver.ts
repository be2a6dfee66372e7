import { loadInput, type LoadedInput, type RenderInputs } from './pipeline/input.js';
import { refuseProductionPush, type RunMode } from './pipeline/mode.js';
import { runPipeline } from './pipeline/deliver.js';
import type { GenerateResult } from './pipeline/result.js';
import { UsageError } from './errors.js';
import type { Author } from './repo/git.js';
import type { PullRequestClient } from './repo/github.js';
import { defaultWorkdir, redactUrl, RemoteWorkdir } from './repo/remote.js';
import { RemoteTarget, type PromotionSummary } from './targets/remote.js';

export { MAX_PR_BRANCH, prBranch, type PromotionSummary } from './targets/remote.js';

export interface DeliverOptions extends RenderInputs {
  source: string;
  /** Remote URL of the config repo. */
  remote: string;
  workdir?: string;
  envs: string[];
  all: boolean;
  mode: Exclude<RunMode, 'commit'>;
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
  /** The input, when the caller already has it (promote hands the edited environment in memory). */
  input?: LoadedInput;
}

export type DeliverResult = GenerateResult;

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

/** A remote config repo run: its working clone, GitHub client and the pipeline. */
export async function deliver(opts: DeliverOptions): Promise<DeliverResult> {
  // --sealed-secrets-cert stands in for a certificate the environment file does not name (issue 16.5), as in local runs.
  const input = opts.input ?? loadInput(opts.source, opts.envs, opts.all, undefined, opts);
  refuseProductionPush(input, opts.mode);
  const apiUrl = opts.githubApiUrl ?? opts.environ.GITHUB_API_URL;
  const token = opts.environ.GITHUB_TOKEN;
  // Checked in every mode (the host also decides which https remotes get the token); plain http
  // matters only where the API is called with the token, in --pr.
  const host = apiHost(apiUrl, opts.githubApiUrl !== undefined ? '--github-api-url' : 'GITHUB_API_URL', opts.insecureApi === true || opts.mode !== 'pr');
  const hosts = [GITHUB_HOST, ...(host ? [host] : [])];
  const workdir = new RemoteWorkdir(opts.remote, opts.workdir ?? defaultWorkdir(opts.remote, opts.environ), { token, hosts }, opts.environ);
  // Fail on a missing PR setting before touching the network.
  const github = opts.mode === 'pr' ? await pullRequestClient(opts, token, apiUrl) : undefined;
  const target = new RemoteTarget(workdir, github, {
    inputs: opts,
    author: opts.author,
    lockTimeoutMs: opts.lockTimeoutMs,
    caching: opts.cache !== false,
    attempts: opts.attempts,
    githubRepo: opts.githubRepo,
    promotion: opts.promotion,
    verify: opts.verify,
    beforePush: opts.beforePush,
  });
  return runPipeline(input, opts.mode, target, opts);
}

async function pullRequestClient(opts: DeliverOptions, token: string | undefined, apiUrl: string | undefined): Promise<PullRequestClient> {
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

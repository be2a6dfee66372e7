/**
 * The GitHub side of delivery: find, open and update the pull request that
 * carries a rendered change. Everything GitHub-specific sits behind
 * `PullRequestClient` so the rest of the generator (and its tests) never touch
 * Octokit directly.
 *
 * Only types are imported from @octokit at the top: the packages are loaded on
 * first use, because most CLI runs never open a PR and must start fast.
 */
import type { Octokit } from '@octokit/rest';
import { ExitCode, UserError } from '../errors.js';

export interface PullRequest {
  number: number;
  /** The page a human opens (GitHub's `html_url`), not the API URL. */
  url: string;
  head: string;
  base: string;
  title: string;
  body: string;
}

export interface PullRequestClient {
  defaultBranch(): Promise<string>;
  /** `head` is a branch of the target repo (or `owner:branch` for a fork). */
  findOpenPullRequest(head: string): Promise<PullRequest | undefined>;
  openPullRequest(p: { head: string; base: string; title: string; body: string }): Promise<PullRequest>;
  updatePullRequest(number: number, p: { title: string; body: string }): Promise<PullRequest>;
}

export interface GitHubClientOptions {
  owner: string;
  repo: string;
  token: string;
  /** Default https://api.github.com; GitHub Enterprise: https://HOST/api/v3. */
  apiUrl?: string;
  /** Retries after a rate limit or a 5xx/network failure. Default 2. */
  retries?: number;
  /**
   * Longest wait for a rate limit to lift before retrying, in ms (default 60 s).
   * A reset can be up to an hour away; past this the call fails at once and
   * says when to come back. Tests set this low to stay fast.
   */
  maxRetryWaitMs?: number;
  /** Per-attempt HTTP timeout in ms (default 30 s), so a dead proxy cannot hang us. */
  timeoutMs?: number;
  /** Progress the user should see (rate-limit waits, API deprecations). Default: stderr. */
  onNotice?: (msg: string) => void;
}

/**
 * A GitHub API failure with a message a user can act on. Messages are built
 * from our own text plus GitHub's short error string, never from Octokit's
 * error objects, which carry request headers (the token).
 */
export class GitHubError extends UserError {
  readonly status?: number;
  readonly hint: string;

  constructor(message: string, hint: string, status?: number) {
    super(`${message}\n  hint: ${hint}`, ExitCode.failure);
    this.name = 'GitHubError';
    this.hint = hint;
    if (status !== undefined) this.status = status;
  }
}

// ---------------------------------------------------------------------------
// Remotes

const NAME = /^[\w.-]+$/;

/**
 * owner/repo from a git remote URL: https (optionally with credentials),
 * `ssh://[user@]host[:port]/o/r.git` and scp-like `user@host:o/r.git`.
 * The host is not checked, so GitHub Enterprise remotes work too.
 */
export function parseGitHubRemote(url: string): { owner: string; repo: string } | undefined {
  const s = url.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return parseUrlRemote(s);
  // scp-like syntax: git treats "host:path" as ssh when the colon comes before any slash.
  const scp = /^(?:[^@/\s]+@)?[^@:/\s]+:(?!\/\/)(.+)$/.exec(s);
  return scp ? ownerRepo(scp[1]!) : undefined;
}

function parseUrlRemote(s: string): { owner: string; repo: string } | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  const remoteProtocols = ['https:', 'http:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'];
  return remoteProtocols.includes(u.protocol) && u.hostname ? ownerRepo(u.pathname) : undefined;
}

function ownerRepo(path: string): { owner: string; repo: string } | undefined {
  const parts = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (parts.length !== 2) return undefined;
  const [owner, repo] = parts as [string, string];
  const valid = (n: string) => NAME.test(n) && n !== '.' && n !== '..';
  return valid(owner) && valid(repo) ? { owner, repo } : undefined;
}

// ---------------------------------------------------------------------------
// Client

const DEFAULT_API_URL = 'https://api.github.com';

/** What a call was doing, for error messages ("opening a pull request ..."). */
interface Ctx {
  owner: string;
  repo: string;
  apiUrl: string;
  token: string;
  retries: number;
  action: string;
}

export function createGitHubClient(opts: GitHubClientOptions): PullRequestClient {
  const apiUrl = (opts.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const { owner, repo, token } = opts;
  const retries = opts.retries ?? 2;
  const base = { owner, repo, apiUrl, token, retries };
  if (!token) {
    throw new GitHubError(`No GitHub token to open a pull request on ${owner}/${repo} (${apiUrl}).`, TOKEN_HINT);
  }
  let octokit: Promise<Octokit> | undefined;
  // Every call goes through here: lazy load, then map any failure to GitHubError.
  const call = async <T>(action: string, fn: (o: Octokit) => Promise<T>): Promise<T> => {
    octokit ??= loadOctokit({ ...opts, apiUrl, retries });
    try {
      return await fn(await octokit);
    } catch (err) {
      throw toGitHubError(err, { ...base, action });
    }
  };

  return {
    defaultBranch: () =>
      call('reading the repository', async (o) => {
        const data: unknown = (await o.rest.repos.get({ owner, repo })).data;
        const branch = isObject(data) ? data.default_branch : undefined;
        // Without it the base would be `undefined`: an orphan branch pushed and a PR without base.
        if (typeof branch !== 'string' || !isBranchName(branch)) throw malformed(`GET ${apiUrl}/repos/${owner}/${repo}`, data, 'no usable default_branch');
        return branch;
      }),

    findOpenPullRequest: (head) =>
      call(`looking for an open pull request from ${head}`, async (o) => {
        // GitHub wants `owner:branch`; a bare branch is silently ignored and returns every PR.
        const qualified = head.includes(':') ? head : `${owner}:${head}`;
        const where = `GET ${apiUrl}/repos/${owner}/${repo}/pulls`;
        const { data } = (await o.rest.pulls.list({ owner, repo, state: 'open', head: qualified, per_page: 100 })) as { data: unknown };
        if (!Array.isArray(data)) throw malformed(where, data, 'not a list of pull requests');
        const pr: unknown = data[0];
        return pr === undefined ? undefined : toPullRequest(pr, where);
      }),

    openPullRequest: (p) =>
      call(`opening a pull request from ${p.head} into ${p.base}`, async (o) =>
        toPullRequest((await o.rest.pulls.create({ owner, repo, ...p })).data, `POST ${apiUrl}/repos/${owner}/${repo}/pulls`),
      ),

    updatePullRequest: (number, p) =>
      call(`updating pull request #${number}`, async (o) =>
        toPullRequest((await o.rest.pulls.update({ owner, repo, pull_number: number, ...p })).data, `PATCH ${apiUrl}/repos/${owner}/${repo}/pulls/${number}`),
      ),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A branch name git accepts (the common subset of check-ref-format), never an option. */
function isBranchName(v: string): boolean {
  return v.length > 0 && v.length <= 255 && /^[A-Za-z0-9._/-]+$/.test(v) && !/(^[-/.])|(\.\.)|(\/\/)|([/.]$)|(\.lock$)|(\/\.)/.test(v);
}

/**
 * An answer that is not what GitHub sends (a proxy's page, malformed JSON, a
 * missing field): a failure naming the request, never taken as success.
 */
function malformed(request: string, data: unknown, what: string): GitHubError {
  const shape = typeof data === 'string' ? 'a body that is not JSON' : isObject(data) ? 'JSON' : `JSON ${Array.isArray(data) ? 'list' : String(data)}`;
  return new GitHubError(
    `GitHub's answer to ${request} is ${shape} with ${what}.`,
    'Check that --github-api-url (or GITHUB_API_URL) points at the GitHub REST API (GitHub Enterprise: https://HOST/api/v3), not a proxy or a web page.',
  );
}

function toPullRequest(p: unknown, request: string): PullRequest {
  const ref = (v: unknown) => (isObject(v) && typeof v.ref === 'string' ? v.ref : undefined);
  if (!isObject(p) || !Number.isSafeInteger(p.number) || (p.number as number) <= 0 || typeof p.html_url !== 'string' || ref(p.head) === undefined || ref(p.base) === undefined) {
    throw malformed(request, p, 'no pull request in it (number, html_url, head and base)');
  }
  return {
    number: p.number as number,
    url: p.html_url,
    head: ref(p.head)!,
    base: ref(p.base)!,
    title: typeof p.title === 'string' ? p.title : '',
    body: typeof p.body === 'string' ? p.body : '',
  };
}

type LoadOptions = GitHubClientOptions & { apiUrl: string; retries: number };

async function loadOctokit(opts: LoadOptions): Promise<Octokit> {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([import('@octokit/rest'), import('@octokit/plugin-retry'), import('@octokit/plugin-throttling')]);
  const maxWaitMs = opts.maxRetryWaitMs ?? 60_000;
  const notice = redacting(opts.onNotice ?? ((m) => console.warn(m)), opts.token);
  const Client = Octokit.plugin(retry, throttling);
  return new Client({
    auth: opts.token,
    baseUrl: opts.apiUrl,
    userAgent: 'gen-gitops',
    request: { fetch: fetchWithTimeout(opts.timeoutMs ?? 30_000) },
    // Octokit's own chatter: keep warnings (API deprecations) visible; request logs
    // (info/error from plugin-request-log) would duplicate the GitHubError we throw.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => notice(m), error: () => {} },
    retry: {
      retries: opts.retries,
      // Backoff is (attempt^2) * base; pick base so the last wait stays within the cap.
      retryAfterBaseValue: Math.min(1000, maxWaitMs / Math.max(1, opts.retries) ** 2),
      // Rate limits (403/429) belong to the throttling plugin; the rest are final answers.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      // Spacing of writes is per key; one key per API host matches GitHub's per-host limits.
      id: opts.apiUrl,
      // We sleep ourselves in the handler (capped), so the plugin adds no further delay.
      retryAfterBaseValue: 0,
      onRateLimit: rateLimitHandler('rate limit', opts, maxWaitMs, notice),
      onSecondaryRateLimit: rateLimitHandler('secondary rate limit', opts, maxWaitMs, notice),
    },
  });
}

/**
 * Decides whether to retry after a rate limit: only when the limit lifts
 * within `maxWaitMs`, after waiting for it. A reset further away fails at once
 * (the error names the reset time): retrying before the reset only spends
 * the wait and the retries, and a CLI that sits for minutes looks hung.
 */
function rateLimitHandler(kind: string, opts: LoadOptions, maxWaitMs: number, notice: (m: string) => void) {
  return async (retryAfterSeconds: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
    if (retryCount >= opts.retries) return false;
    const waitMs = retryAfterSeconds * 1000;
    if (waitMs > maxWaitMs) return false;
    const path = options.url.replace('{owner}', opts.owner).replace('{repo}', opts.repo);
    notice(`GitHub ${kind} hit on ${options.method} ${path} at ${opts.apiUrl}; retrying in ${formatSeconds(waitMs)} (attempt ${retryCount + 1} of ${opts.retries})`);
    await new Promise((r) => setTimeout(r, waitMs));
    return true;
  };
}

function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

// ---------------------------------------------------------------------------
// Errors

const TOKEN_HINT =
  'Set GITHUB_TOKEN to a token that can write to the repository: a classic token with the `repo` scope, ' +
  'or a fine-grained token with `contents: write` and `pull_requests: write` on it.';

interface HttpFailure {
  status: number;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function toGitHubError(err: unknown, ctx: Ctx): GitHubError {
  if (err instanceof GitHubError) return err;
  const where = `${ctx.owner}/${ctx.repo} at ${ctx.apiUrl}`;
  const e = err as Partial<HttpFailure>;
  if (typeof e.status === 'number' && e.response) return httpError(e as HttpFailure, ctx, where);
  const code = networkCode(err);
  if (code) return networkError(code, ctx);
  // Unknown shape: say what we were doing, but do not echo the object (it may hold the token).
  const name = err instanceof Error ? err.name : typeof err;
  return new GitHubError(`GitHub request failed while ${ctx.action} on ${where} (${name}).`, 'Retry; if it persists, run with --debug and report it.');
}

function httpError(e: HttpFailure, ctx: Ctx, where: string): GitHubError {
  const { status } = e;
  const headers = e.response?.headers ?? {};
  const said = redact(githubMessage(e.response?.data), ctx.token);
  const head = `GitHub answered ${status} while ${ctx.action} on ${where}${said ? `: ${said.replace(/\.$/, '')}` : ''}.`;
  const rate = rateLimitState(status, headers, said);
  if (rate) return new GitHubError(head, rate, status);
  return new GitHubError(head, hintFor(status, said, ctx), status);
}

function hintFor(status: number, said: string, ctx: Ctx): string {
  const repo = `${ctx.owner}/${ctx.repo}`;
  switch (status) {
    case 401:
      return `The token is missing, invalid or expired. ${TOKEN_HINT}`;
    case 403:
      return `The token is valid but lacks permission on ${repo}. ${TOKEN_HINT} ` + 'If the organization uses SAML SSO, authorize the token for it.';
    case 404:
      return (
        `Either ${repo} does not exist at ${ctx.apiUrl}, or the token cannot see it (GitHub answers 404, not 403, ` +
        `for private repositories a token has no access to). Check the git remote, --github-api-url, and the token's repository access.`
      );
    case 422:
      if (/already exists/i.test(said)) return 'An open pull request for this branch already exists: update it instead of opening another.';
      if (/no commits between/i.test(said)) return 'The branch has no commits that the base lacks: push the change first, or there is nothing to deliver.';
      return 'GitHub rejected the request as invalid: check that the head and base branches exist on the remote.';
    default:
      if (status >= 500) return `GitHub kept failing after ${ctx.retries} retries; try again later (https://www.githubstatus.com).`;
      return 'Unexpected answer from the GitHub API; check --github-api-url points at the REST API (GitHub Enterprise: https://HOST/api/v3).';
  }
}

/** A hint when the failure is a rate limit (primary or secondary), else undefined. */
function rateLimitState(status: number, headers: Record<string, unknown>, said: string): string | undefined {
  if (status !== 403 && status !== 429) return undefined;
  if (/secondary rate limit/i.test(said)) {
    const after = Number(headers['retry-after']);
    const when = Number.isFinite(after) && after > 0 ? `in ${after}s` : 'in a few minutes';
    return `GitHub's secondary (abuse) rate limit is in force; try again ${when}, and avoid running many deliveries at once.`;
  }
  if (String(headers['x-ratelimit-remaining']) !== '0') return undefined;
  const reset = Number(headers['x-ratelimit-reset']);
  const at = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined;
  const when = at ? `at ${at.toISOString()} (in ${formatSeconds(Math.max(0, at.getTime() - Date.now()))})` : 'within the hour';
  return `The API rate limit for this token is exhausted until it resets ${when}; gen-gitops does not wait that long. Try again then.`;
}

/** GitHub's short error text ("Bad credentials", plus validation details), bounded in size. */
function githubMessage(data: unknown): string {
  if (typeof data === 'string') return data.slice(0, 200); // e.g. an HTML page from a proxy
  if (!data || typeof data !== 'object') return '';
  const d = data as { message?: unknown; errors?: unknown };
  const details = Array.isArray(d.errors) ? d.errors.map((x) => (typeof x === 'string' ? x : (x as { message?: unknown })?.message)).filter((m) => typeof m === 'string') : [];
  const text = [typeof d.message === 'string' ? d.message : '', ...details].filter(Boolean).join(' - ');
  return text.slice(0, 500);
}

const NETWORK_CODES =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR_\w+|CERT_\w+|\w*_CERT\w*|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_\w+)$/;

/** The network error code somewhere in the cause chain (fetch nests it), or 'TIMEOUT'. */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, name, cause } = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.test(code)) return code;
    if (name === 'TimeoutError' || name === 'AbortError') return 'TIMEOUT';
    e = cause;
  }
  return undefined;
}

function networkError(code: string, ctx: Ctx): GitHubError {
  const what = code === 'TIMEOUT' ? 'timed out' : `failed (${code})`;
  const tls = /CERT|TLS/.test(code) ? ' For a GitHub Enterprise host with a private CA, set NODE_EXTRA_CA_CERTS.' : '';
  return new GitHubError(
    `Could not reach the GitHub API at ${ctx.apiUrl} while ${ctx.action} on ${ctx.owner}/${ctx.repo}: connection ${what}.`,
    `Check the network/proxy and that the API URL is right; pass --github-api-url (GitHub Enterprise: https://HOST/api/v3).${tls}`,
  );
}

// ---------------------------------------------------------------------------
// Small helpers

function redact(text: string, token: string): string {
  return token ? text.split(token).join('***') : text;
}

function redacting(sink: (m: string) => void, token: string): (m: string) => void {
  return (m) => sink(redact(String(m), token));
}

function formatSeconds(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 120 ? `${Math.ceil(s / 60)} min` : ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : `${s}s`;
}

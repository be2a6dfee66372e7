import test from 'ava';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { createGitHubClient, GitHubError, parseGitHubRemote, type GitHubClientOptions } from '../generator/repo/github.js';
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from './helpers/fake-github.js';

// Distinctive, so a leak anywhere is unmistakable.
const TOKEN = 'ghp_SuperSecretTestToken0123456789abcdef';

/** A fake server plus a client for it, with short waits and notices collected. */
async function setup(t: { teardown(fn: () => Promise<void>): void }, fake: FakeGitHubOptions = {}, client: Partial<GitHubClientOptions> = {}) {
  const gh = await startFakeGitHub({ token: TOKEN, ...fake });
  t.teardown(() => gh.close());
  const notices: string[] = [];
  const pr = createGitHubClient({
    owner: gh.owner,
    repo: gh.repo,
    token: TOKEN,
    apiUrl: gh.url,
    maxRetryWaitMs: 50,
    onNotice: (m) => notices.push(m),
    ...client,
  });
  return { gh, pr, notices };
}

function seedOpenPR(gh: FakeGitHub, head: string, number = 7) {
  gh.pulls.push({
    number,
    state: 'open',
    title: 'existing',
    body: 'old body',
    head: { ref: head, label: `${gh.owner}:${head}` },
    base: { ref: 'main' },
    html_url: `${gh.url}/${gh.owner}/${gh.repo}/pull/${number}`,
  });
}

/** Everything about an error a user or log could ever see. */
function everything(err: unknown): string {
  const e = err as Error;
  return [e.message, e.stack, JSON.stringify(e), String(e), JSON.stringify(Object.entries(e))].join('\n');
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// --- remotes ---------------------------------------------------------------

const remotes: [string, { owner: string; repo: string } | undefined][] = [
  ['https://github.com/acme/config', { owner: 'acme', repo: 'config' }],
  ['https://github.com/acme/config.git', { owner: 'acme', repo: 'config' }],
  ['https://github.com/acme/config.git/', { owner: 'acme', repo: 'config' }],
  ['https://x-access-token:ghs_abc@github.com/acme/config.git', { owner: 'acme', repo: 'config' }],
  ['https://user@github.com/acme/my.repo.git', { owner: 'acme', repo: 'my.repo' }],
  ['https://ghe.example.com/platform/gitops-config.git', { owner: 'platform', repo: 'gitops-config' }],
  ['http://ghe.internal:8080/platform/cfg', { owner: 'platform', repo: 'cfg' }],
  ['git@github.com:acme/config.git', { owner: 'acme', repo: 'config' }],
  ['git@github.com:acme/config', { owner: 'acme', repo: 'config' }],
  ['  git@ghe.example.com:platform/cfg.git\n', { owner: 'platform', repo: 'cfg' }],
  ['ssh://git@github.com/acme/config.git', { owner: 'acme', repo: 'config' }],
  ['ssh://git@ghe.example.com:2222/platform/cfg.git', { owner: 'platform', repo: 'cfg' }],
  ['/srv/git/config.git', undefined],
  ['../config', undefined],
  ['file:///srv/git/acme/config.git', undefined],
  ['https://github.com/acme', undefined],
  ['https://github.com/acme/config/tree/main', undefined],
  ['git@github.com:acme/../config.git', undefined],
  ['', undefined],
  ['not a url', undefined],
];

for (const [url, expected] of remotes) {
  test(`parseGitHubRemote(${JSON.stringify(url)})`, (t) => {
    t.deepEqual(parseGitHubRemote(url), expected);
  });
}

// --- happy paths -------------------------------------------------------------

test('defaultBranch reads the repository and authenticates with the token', async (t) => {
  const { gh, pr } = await setup(t, { defaultBranch: 'trunk' });
  t.is(await pr.defaultBranch(), 'trunk');
  t.is(gh.requests.length, 1);
  t.regex(String(gh.requests[0]!.headers.authorization), /^(token|bearer) /i);
  t.is(gh.requests[0]!.method, 'GET');
  t.is(gh.requests[0]!.path, '/repos/acme/config');
});

test('GitHub Enterprise style API URL (/api/v3) is used as the base', async (t) => {
  const gh = await startFakeGitHub({ token: TOKEN });
  t.teardown(() => gh.close());
  const pr = createGitHubClient({ owner: 'acme', repo: 'config', token: TOKEN, apiUrl: `${gh.url}/api/v3/` });
  t.is(await pr.defaultBranch(), 'main');
  t.is(gh.requests[0]!.path, '/api/v3/repos/acme/config');
});

test('open a pull request, then find it by branch', async (t) => {
  const { gh, pr } = await setup(t);
  t.is(await pr.findOpenPullRequest('gitops/dev'), undefined);

  const opened = await pr.openPullRequest({ head: 'gitops/dev', base: 'main', title: 'Render dev', body: 'diff' });
  t.deepEqual(opened, {
    number: 1,
    url: `${gh.url}/acme/config/pull/1`,
    head: 'gitops/dev',
    base: 'main',
    title: 'Render dev',
    body: 'diff',
  });
  t.deepEqual(await pr.findOpenPullRequest('gitops/dev'), opened);

  const list = gh.requests.filter((r) => r.method === 'GET' && r.path.includes('/pulls'));
  t.true(list.every((r) => r.path.includes('head=acme%3Agitops%2Fdev') && r.path.includes('state=open')));
});

test('findOpenPullRequest ignores closed PRs and other branches', async (t) => {
  const { gh, pr } = await setup(t);
  seedOpenPR(gh, 'other', 3);
  seedOpenPR(gh, 'gitops/dev', 4);
  gh.pulls[1]!.state = 'closed';
  t.is(await pr.findOpenPullRequest('gitops/dev'), undefined);
  t.is((await pr.findOpenPullRequest('other'))?.number, 3);
});

test('updatePullRequest changes title and body', async (t) => {
  const { gh, pr } = await setup(t);
  seedOpenPR(gh, 'gitops/dev', 7);
  const updated = await pr.updatePullRequest(7, { title: 'Render dev (v2)', body: 'new diff' });
  t.like(updated, { number: 7, title: 'Render dev (v2)', body: 'new diff', head: 'gitops/dev', base: 'main' });
  t.like(gh.pulls[0], { title: 'Render dev (v2)', body: 'new diff', state: 'open' });
  t.is(gh.requests[0]!.method, 'PATCH');
});

test('open then update on the same client', async (t) => {
  const { gh, pr } = await setup(t);
  const opened = await pr.openPullRequest({ head: 'b', base: 'main', title: 't1', body: '' });
  const updated = await pr.updatePullRequest(opened.number, { title: 't2', body: 'x' });
  t.is(updated.title, 't2');
  t.is(gh.pulls.length, 1);
});

// --- failures ----------------------------------------------------------------

test('401: message asks for a token with the right scope, never shows it', async (t) => {
  const gh = await startFakeGitHub({ token: 'the-right-token' });
  t.teardown(() => gh.close());
  const pr = createGitHubClient({ owner: 'acme', repo: 'config', token: TOKEN, apiUrl: gh.url, maxRetryWaitMs: 50 });
  const err = await t.throwsAsync(pr.defaultBranch(), { instanceOf: GitHubError });
  t.is(err.status, 401);
  t.regex(err.message, /Bad credentials/);
  t.regex(err.message, /acme\/config/);
  t.true(err.message.includes(gh.url));
  t.regex(err.hint, /GITHUB_TOKEN/);
  t.regex(err.hint, /`repo` scope/);
  t.regex(err.hint, /pull_requests: write/);
  t.false(everything(err).includes(TOKEN));
  t.is(gh.requests.length, 1, '401 is final: no retries');
});

test('missing token fails before any request', (t) => {
  const err = t.throws(() => createGitHubClient({ owner: 'acme', repo: 'config', token: '' }), { instanceOf: GitHubError });
  t.regex(err.message, /GITHUB_TOKEN/);
});

test('404: repository not found or not visible to the token', async (t) => {
  const gh = await startFakeGitHub({ token: TOKEN });
  t.teardown(() => gh.close());
  const pr = createGitHubClient({ owner: 'acme', repo: 'missing', token: TOKEN, apiUrl: gh.url, maxRetryWaitMs: 50 });
  const err = await t.throwsAsync(pr.findOpenPullRequest('b'), { instanceOf: GitHubError });
  t.is(err.status, 404);
  t.regex(err.message, /acme\/missing/);
  t.true(err.message.includes(gh.url));
  t.regex(err.hint, /does not exist|cannot see/);
  t.is(gh.requests.length, 1);
});

test('403 without rate-limit headers is a permission problem, not retried', async (t) => {
  const { gh, pr } = await setup(t, { failWith: { kind: 'status', status: 403 } });
  const err = await t.throwsAsync(pr.openPullRequest({ head: 'b', base: 'main', title: 't', body: '' }), {
    instanceOf: GitHubError,
  });
  t.is(err.status, 403);
  t.regex(err.message, /Resource not accessible/);
  t.regex(err.hint, /lacks permission/);
  t.regex(err.hint, /contents: write/);
  t.is(gh.requests.length, 1);
});

test('422: a PR for the branch already exists', async (t) => {
  const { gh, pr } = await setup(t);
  seedOpenPR(gh, 'gitops/dev');
  const err = await t.throwsAsync(pr.openPullRequest({ head: 'gitops/dev', base: 'main', title: 't', body: '' }), {
    instanceOf: GitHubError,
  });
  t.is(err.status, 422);
  t.regex(err.message, /A pull request already exists for acme:gitops\/dev/);
  t.regex(err.hint, /update it/);
});

test('422: no commits between base and head', async (t) => {
  const { pr } = await setup(t);
  const err = await t.throwsAsync(pr.openPullRequest({ head: 'main', base: 'main', title: 't', body: '' }), {
    instanceOf: GitHubError,
  });
  t.is(err.status, 422);
  t.regex(err.hint, /no commits/);
});

test('rate limit: retried after waiting for a reset within maxRetryWaitMs, and succeeds', async (t) => {
  const { gh, pr, notices } = await setup(t, { failWith: { kind: 'rate-limit', times: 1, resetInSeconds: 1 } }, { maxRetryWaitMs: 5000 });
  const started = Date.now();
  t.is(await pr.defaultBranch(), 'main');
  t.true(Date.now() - started < 5000, 'waited for the reset, no longer');
  t.is(gh.requests.length, 2);
  t.is(notices.length, 1);
  t.regex(notices[0]!, /rate limit/);
  t.regex(notices[0]!, /acme\/config/);
});

test('rate limit: twice in a row is still within the retry budget', async (t) => {
  const { gh, pr } = await setup(t, { failWith: { kind: 'rate-limit', times: 2 } }, { maxRetryWaitMs: 5000 });
  t.is(await pr.findOpenPullRequest('b'), undefined);
  t.is(gh.requests.length, 3);
});

test('rate limit: retry budget is per call, not per client', async (t) => {
  const { gh, pr } = await setup(t, { failWith: { kind: 'rate-limit', times: 2 } }, { maxRetryWaitMs: 5000 });
  await pr.defaultBranch();
  gh.setFailure({ kind: 'rate-limit', times: 2 });
  t.is(await pr.defaultBranch(), 'main');
  t.is(gh.requests.length, 6);
});

test('issue 14.25 (client): a rate-limit reset beyond maxRetryWaitMs fails at once with the reset time, no retries', async (t) => {
  // Reset an hour away: waiting would hang, retrying before the reset is pointless.
  const { gh, pr, notices } = await setup(t, { failWith: { kind: 'rate-limit', resetInSeconds: 3600 } });
  const started = Date.now();
  const err = await t.throwsAsync(pr.defaultBranch(), { instanceOf: GitHubError });
  t.true(Date.now() - started < 5000);
  t.is(err.status, 403);
  t.regex(err.message, /rate limit exceeded/);
  t.regex(err.hint, /rate limit .* exhausted/);
  t.regex(err.hint, /resets at \d{4}-\d\d-\d\dT/);
  t.is(gh.requests.length, 1, 'no retries');
  t.is(notices.length, 0);
});

test('rate limit that persists within the wait budget ends in a GitHubError with the reset time', async (t) => {
  const { gh, pr, notices } = await setup(t, { failWith: { kind: 'rate-limit', resetInSeconds: 1 } }, { maxRetryWaitMs: 5000 });
  const err = await t.throwsAsync(pr.defaultBranch(), { instanceOf: GitHubError });
  t.regex(err.hint, /resets at \d{4}-\d\d-\d\dT/);
  t.is(gh.requests.length, 3, 'one request plus two retries');
  t.is(notices.length, 2);
});

test('secondary rate limit is retried after retry-after', async (t) => {
  // A GET: retried writes also wait out the throttling plugin's 1-3 s spacing between writes.
  const { gh, pr, notices } = await setup(t, { failWith: { kind: 'secondary-rate-limit', times: 1 } }, { maxRetryWaitMs: 5000 });
  t.is(await pr.defaultBranch(), 'main');
  t.is(gh.requests.length, 2);
  t.regex(notices[0]!, /secondary rate limit/);
});

test('secondary rate limit that persists ends in a GitHubError', async (t) => {
  const { pr } = await setup(t, { failWith: { kind: 'secondary-rate-limit', retryAfterSeconds: 60 } }, { retries: 1 });
  const err = await t.throwsAsync(pr.defaultBranch(), { instanceOf: GitHubError });
  t.is(err.status, 403);
  t.regex(err.hint, /secondary .* rate limit/);
  t.regex(err.hint, /in 60s/);
});

test('5xx is retried and then succeeds', async (t) => {
  const { gh, pr } = await setup(t, { failWith: { kind: 'status', status: 502, times: 1 } });
  t.is(await pr.defaultBranch(), 'main');
  t.is(gh.requests.length, 2);
});

test('5xx that persists ends in a GitHubError', async (t) => {
  const { gh, pr } = await setup(t, { failWith: { kind: 'status', status: 500 } });
  const err = await t.throwsAsync(pr.defaultBranch(), { instanceOf: GitHubError });
  t.is(err.status, 500);
  t.regex(err.hint, /try again later/);
  t.is(gh.requests.length, 3);
});

test('network error (closed port): message names the API URL and --github-api-url', async (t) => {
  const apiUrl = `http://127.0.0.1:${await closedPort()}`;
  const pr = createGitHubClient({ owner: 'acme', repo: 'config', token: TOKEN, apiUrl, maxRetryWaitMs: 20, onNotice: () => {} });
  const err = await t.throwsAsync(pr.defaultBranch(), { instanceOf: GitHubError });
  t.is(err.status, undefined);
  t.true(err.message.includes(apiUrl));
  t.regex(err.message, /ECONNREFUSED/);
  t.regex(err.hint, /--github-api-url/);
  t.false(everything(err).includes(TOKEN));
});

test('connection dropped by the server is retried', async (t) => {
  const { gh, pr } = await setup(t, { failWith: { kind: 'hang-up', times: 1 } });
  t.is(await pr.defaultBranch(), 'main');
  t.is(gh.requests.length, 2);
});

test('a server that never answers times out', async (t) => {
  // A raw socket that accepts and stays silent.
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => silent.close(() => r()));
  });
  const apiUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  const pr = createGitHubClient({ owner: 'acme', repo: 'config', token: TOKEN, apiUrl, timeoutMs: 100, retries: 0, onNotice: () => {} });
  const err = await t.throwsAsync(pr.defaultBranch(), { instanceOf: GitHubError });
  t.regex(err.message, /timed out/);
  t.true(err.message.includes(apiUrl));
});

test('the token never appears in any error, stack or notice', async (t) => {
  const seen: string[] = [];
  const scenarios: [FakeGitHubOptions, (c: ReturnType<typeof createGitHubClient>) => Promise<unknown>][] = [
    [{ token: 'other' }, (c) => c.defaultBranch()],
    [{ failWith: { kind: 'rate-limit' } }, (c) => c.defaultBranch()],
    [{ failWith: { kind: 'secondary-rate-limit' } }, (c) => c.findOpenPullRequest('b')],
    [{ failWith: { kind: 'status', status: 422 } }, (c) => c.openPullRequest({ head: 'b', base: 'main', title: 't', body: '' })],
    [{ failWith: { kind: 'status', status: 403 } }, (c) => c.updatePullRequest(1, { title: 't', body: '' })],
    [{ failWith: { kind: 'status', status: 404 } }, (c) => c.findOpenPullRequest('b')],
    [{ failWith: { kind: 'status', status: 500 } }, (c) => c.defaultBranch()],
    // GitHub echoing the token back in its message must not leak it either.
    [{ failWith: { kind: 'status', status: 422, message: `bad ${TOKEN}` } }, (c) => c.defaultBranch()],
    [{}, (c) => c.updatePullRequest(999, { title: 't', body: '' })],
  ];
  for (const [fake, act] of scenarios) {
    const { pr, notices } = await setup(t, { token: TOKEN, ...fake });
    const err = await t.throwsAsync(act(pr));
    seen.push(everything(err), ...notices);
  }
  const port = await closedPort();
  const notices: string[] = [];
  const offline = createGitHubClient({
    owner: 'acme',
    repo: 'config',
    token: TOKEN,
    apiUrl: `http://127.0.0.1:${port}`,
    maxRetryWaitMs: 20,
    onNotice: (m) => notices.push(m),
  });
  seen.push(everything(await t.throwsAsync(offline.defaultBranch())), ...notices);

  t.true(seen.length >= scenarios.length + 1);
  for (const s of seen) t.false(s.includes(TOKEN), s);
});

test('Octokit is loaded lazily (type-only static imports)', async (t) => {
  const src = await readFile(new URL('../generator/repo/github.ts', import.meta.url), 'utf8');
  const staticImports = src.split('\n').filter((l) => /^import\s/.test(l) && /@octokit\//.test(l));
  t.true(staticImports.length > 0);
  for (const l of staticImports) t.regex(l, /^import type /);
});

/**
 * A local stand-in for the slice of the GitHub REST API that delivery uses,
 * over real HTTP on 127.0.0.1 so the real Octokit stack (auth, retry,
 * throttling, error parsing) runs unmodified in tests.
 *
 * Routes (also under the GitHub Enterprise prefix /api/v3):
 *   GET   /repos/:o/:r
 *   GET   /repos/:o/:r/pulls?state=&head=&base=
 *   POST  /repos/:o/:r/pulls
 *   PATCH /repos/:o/:r/pulls/:n
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeWorkspace, type Workspace } from './workspace.js';

export interface StoredPR {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  /** `label` is `owner:branch`, which is what the `head` list filter matches. */
  head: { ref: string; label: string };
  base: { ref: string };
  html_url: string;
}

export interface RecordedRequest {
  method: string;
  /** Path with query string, as received (including any /api/v3 prefix). */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** What the next `times` requests (default: all) answer instead of the real thing. */
export type FakeFailure =
  /** Primary rate limit: 403 with x-ratelimit-remaining 0 and a reset `resetInSeconds` ahead (default 1). */
  | { kind: 'rate-limit'; times?: number; resetInSeconds?: number }
  /** Secondary rate limit: 403 with a retry-after header (default 1 s). */
  | { kind: 'secondary-rate-limit'; times?: number; retryAfterSeconds?: number }
  /** Any status with GitHub's JSON error body, e.g. 403 (no permission), 404, 500. */
  | { kind: 'status'; status: number; times?: number; message?: string }
  /** Drop the connection without answering. */
  | { kind: 'hang-up'; times?: number };

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  defaultBranch?: string;
  /** Expected token; requests without `Authorization: token X` / `Bearer X` get 401. */
  token?: string;
  failWith?: FakeFailure;
  /** Host to listen on (default 127.0.0.1); '0.0.0.0' to be reached through a non-loopback address. */
  listenHost?: string;
}

/** A raw answer (any bytes, sent as JSON) replacing what a matching request would get. */
export type FakeIntercept = (req: { method: string; path: string }) => { status: number; body: string } | undefined;

export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  token: string;
  pulls: StoredPR[];
  requests: RecordedRequest[];
  setFailure(f: FakeFailure | undefined): void;
  /** Answers chosen by the test (malformed JSON, missing fields) for matching requests; undefined: none. */
  setIntercept(f: FakeIntercept | undefined): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const DOCS = 'https://docs.github.com/rest';

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = opts.owner ?? 'acme';
  const repo = opts.repo ?? 'config';
  const token = opts.token ?? 'fake-github-token';
  const defaultBranch = opts.defaultBranch ?? 'main';
  const pulls: StoredPR[] = [];
  const requests: RecordedRequest[] = [];
  let failure: { spec: FakeFailure; left: number } | undefined;
  const setFailure = (f: FakeFailure | undefined) => {
    failure = f ? { spec: f, left: f.times ?? Infinity } : undefined;
  };
  setFailure(opts.failWith);
  let intercept: FakeIntercept | undefined;

  const server = http.createServer((req, res) => {
    void readBody(req).then((raw) => {
      const path = req.url ?? '/';
      const body = parseJson(raw);
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      if (failure && failure.left > 0 && failure.spec.kind === 'hang-up') {
        failure.left--;
        req.socket.destroy();
        return;
      }
      const given = authorized(req.headers.authorization, token) ? intercept?.({ method: req.method ?? 'GET', path }) : undefined;
      if (given) {
        res.writeHead(given.status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(given.body);
        return;
      }
      send(res, handle(req, path, body));
    });
  });

  function handle(req: http.IncomingMessage, path: string, body: unknown): Reply {
    if (!authorized(req.headers.authorization, token)) {
      const message = req.headers.authorization ? 'Bad credentials' : 'Requires authentication';
      return error(401, message);
    }
    if (failure && failure.left > 0) {
      failure.left--;
      return failureReply(failure.spec);
    }
    if (body === INVALID_JSON) return error(400, 'Problems parsing JSON');
    return route(req.method ?? 'GET', new URL(path, 'http://x'), body);
  }

  function route(method: string, u: URL, body: unknown): Reply {
    const m = /^(?:\/api\/v3)?\/repos\/([^/]+)\/([^/]+)(\/pulls(?:\/(\d+))?)?\/?$/.exec(u.pathname);
    if (!m || m[1] !== owner || m[2] !== repo) return error(404, 'Not Found');
    const [, , , pullsPath, num] = m;
    if (!pullsPath && method === 'GET') return { status: 200, body: repoJson() };
    if (pullsPath && !num && method === 'GET') return { status: 200, body: listPulls(u.searchParams) };
    if (pullsPath && !num && method === 'POST') return createPull(body);
    if (num && method === 'GET') return withPull(Number(num), (pr) => ({ status: 200, body: pr }));
    if (num && method === 'PATCH') return withPull(Number(num), (pr) => updatePull(pr, body));
    return error(404, 'Not Found');
  }

  function repoJson() {
    return {
      id: 1,
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: { login: owner },
      private: true,
      default_branch: defaultBranch,
      html_url: `${url}/${owner}/${repo}`,
    };
  }

  function listPulls(q: URLSearchParams): StoredPR[] {
    const state = q.get('state') ?? 'open';
    const head = q.get('head');
    const base = q.get('base');
    return pulls.filter(
      (p) =>
        (state === 'all' || p.state === state) &&
        // Like GitHub: a head filter without `owner:` is ignored, not an error.
        (!head || !head.includes(':') || p.head.label === head) &&
        (!base || p.base.ref === base),
    );
  }

  function createPull(body: unknown): Reply {
    const b = (body ?? {}) as Record<string, unknown>;
    const missing = ['head', 'base', 'title'].filter((f) => typeof b[f] !== 'string' || b[f] === '');
    if (missing.length) {
      return error(
        422,
        'Validation Failed',
        missing.map((field) => ({ resource: 'PullRequest', field, code: 'missing_field' })),
      );
    }
    const headRef = String(b.head).replace(/^[^:]+:/, '');
    const label = String(b.head).includes(':') ? String(b.head) : `${owner}:${headRef}`;
    if (pulls.some((p) => p.state === 'open' && p.head.label === label)) {
      return error(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${label}.` }]);
    }
    if (headRef === b.base) {
      return error(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${String(b.base)} and ${headRef}` }]);
    }
    const number = pulls.reduce((n, p) => Math.max(n, p.number), 0) + 1;
    const pr: StoredPR = {
      number,
      state: 'open',
      title: String(b.title),
      body: typeof b.body === 'string' ? b.body : '',
      head: { ref: headRef, label },
      base: { ref: String(b.base) },
      html_url: `${url}/${owner}/${repo}/pull/${number}`,
    };
    pulls.push(pr);
    return { status: 201, body: pr };
  }

  function updatePull(pr: StoredPR, body: unknown): Reply {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.title === 'string') pr.title = b.title;
    if (typeof b.body === 'string') pr.body = b.body;
    if (b.state === 'open' || b.state === 'closed') pr.state = b.state;
    if (typeof b.base === 'string') pr.base = { ref: b.base };
    return { status: 200, body: pr };
  }

  function withPull(n: number, fn: (pr: StoredPR) => Reply): Reply {
    const pr = pulls.find((p) => p.number === n);
    return pr ? fn(pr) : error(404, 'Not Found');
  }

  await new Promise<void>((resolve) => server.listen(0, opts.listenHost ?? '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    owner,
    repo,
    token,
    pulls,
    requests,
    setFailure,
    setIntercept: (f) => {
      intercept = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Octokit's fetch keeps connections alive; drop them so close() returns promptly.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function authorized(header: string | undefined, token: string): boolean {
  const m = /^(?:token|bearer) (.+)$/i.exec(header ?? '');
  return m?.[1] === token;
}

function failureReply(f: FakeFailure): Reply {
  switch (f.kind) {
    case 'rate-limit': {
      const reset = Math.ceil(Date.now() / 1000 + (f.resetInSeconds ?? 1));
      return {
        ...error(403, 'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.'),
        headers: {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '5000',
          'x-ratelimit-reset': String(reset),
          'x-ratelimit-resource': 'core',
        },
      };
    }
    case 'secondary-rate-limit':
      return {
        ...error(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'),
        headers: { 'retry-after': String(f.retryAfterSeconds ?? 1) },
      };
    case 'status':
      return error(f.status, f.message ?? defaultMessage(f.status));
    case 'hang-up':
      return error(500, 'unreachable'); // handled before routing
  }
}

function defaultMessage(status: number): string {
  const known: Record<number, string> = {
    403: 'Resource not accessible by personal access token',
    404: 'Not Found',
    500: 'Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
  };
  return known[status] ?? `Error ${status}`;
}

/** GitHub's error body shape. */
function error(status: number, message: string, errors?: unknown[]): Reply {
  return { status, body: { message, ...(errors ? { errors } : {}), documentation_url: DOCS, status: String(status) } };
}

function send(res: http.ServerResponse, r: Reply): void {
  const payload = r.body === undefined ? '' : JSON.stringify(r.body);
  res.writeHead(r.status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-request-id': 'FAKE:0001',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
    ...r.headers,
  });
  res.end(payload);
}

const INVALID_JSON = Symbol('invalid json');

function parseJson(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

/**
 * A scratch workspace and a local GitHub stand-in for `acme/config` that
 * accepts `token`, both removed when the test ends.
 */
export async function workspaceWithGitHub(t: { teardown(fn: () => Promise<void>): void }, token: string): Promise<{ ws: Workspace; gh: FakeGitHub }> {
  const ws = makeWorkspace();
  const gh = await startFakeGitHub({ token, owner: 'acme', repo: 'config' });
  t.teardown(async () => {
    await gh.close();
    ws.cleanup();
  });
  return { ws, gh };
}

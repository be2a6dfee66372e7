import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { COMMIT_SUBJECT_PREFIX } from './commit-marker.js';
import { TXN_DIR } from './transaction.js';

/** `https://…`, `http://…`, `ssh://…`, `git@host:org/repo.git`, `file://…`: anything git clones that is not a plain path. */
export function isRemoteUrl(s: string): boolean {
  return /^(https?|ssh|git|file):\/\//.test(s) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(s);
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]*\]|[^:@[\]]*)(:\d*)?$/;

/**
 * The URL without credentials, for messages and for ArgoCD's repoURL. The
 * userinfo ends at the authority's last '@' (a password may hold '@' and ':');
 * when a password holds '/', '?' or '#', the authority seems to end early and
 * is no host[:port]: then everything up to the last '@' is taken as userinfo,
 * as showing too little beats showing a password.
 */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([\s\S]*)$/i.exec(url);
  if (!m) return url;
  const [, scheme, rest] = m as unknown as [string, string, string];
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  if (authority.includes('@')) {
    const userinfo = authority.slice(0, authority.lastIndexOf('@'));
    // ssh://git@host/… keeps its user (no secret, and ArgoCD's SSH credentials match on it); over http(s)
    // a lone user name may be a token.
    const keep = !/^https?:/i.test(scheme) && /^[A-Za-z0-9._-]+$/.test(userinfo) ? `${userinfo}@` : '';
    return scheme + keep + rest.slice(authority.lastIndexOf('@') + 1);
  }
  if (rest.includes('@') && !HOST_PORT.test(authority)) return scheme + rest.slice(rest.lastIndexOf('@') + 1);
  return url;
}

/** Strings of a URL's userinfo that must never be shown: the password (raw and decoded), or a lone user name that may be a token. */
function urlSecrets(url: string): string[] {
  const shown = redactUrl(url);
  if (shown === url) return [];
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)![0];
  const userinfo = url.slice(scheme.length, url.length - (shown.length - scheme.length) - 1);
  const colon = userinfo.indexOf(':');
  const parts = colon >= 0 ? [userinfo.slice(colon + 1), userinfo] : userinfo.length >= 8 ? [userinfo] : [];
  const decoded = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  // Longest first, so a secret containing another is replaced whole.
  const encoded = decoded.map((p) => encodeURIComponent(p));
  return [...new Set([...parts, ...decoded, ...encoded])].filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
}

/** Where the working clone of a remote lives: --workdir, else the user's cache directory. */
export function defaultWorkdir(url: string, environ: Record<string, string | undefined>): string {
  const cache = environ.XDG_CACHE_HOME || join(environ.HOME || homedir(), '.cache');
  const slug = redactUrl(url)
    .replace(/^[a-z]+:\/\//, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(-60);
  const hash = createHash('sha256').update(redactUrl(url)).digest('hex').slice(0, 10);
  return join(cache, 'gen-gitops', 'repos', `${slug}-${hash}`);
}

export interface RemoteAuth {
  /** A GitHub token, sent as an HTTP header for https remotes on `hosts`; never written to disk or argv. */
  token?: string;
  hosts: string[];
}

/**
 * Git run as a child process with our own environment. Credentials travel in
 * GIT_CONFIG_* variables (http.<origin>/.extraheader), so they never reach
 * .git/config, the command line (ps), or any message we print.
 */
export class GitRunner {
  constructor(
    private readonly url: string,
    private readonly auth: RemoteAuth,
    private readonly environ: Record<string, string | undefined>,
  ) {}

  /** The environment git runs with (exposed for tests: the token must travel only here). */
  env(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.environ)) if (v !== undefined && !k.startsWith('GIT_CONFIG_')) env[k] = v;
    // Never wait for a password prompt in automation.
    env.GIT_TERMINAL_PROMPT = '0';
    const host = this.url.startsWith('https://') ? hostOf(redactUrl(this.url)) : undefined;
    if (this.auth.token && host && this.auth.hosts.includes(host)) {
      const basic = Buffer.from(`x-access-token:${this.auth.token}`).toString('base64');
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = `http.https://${host}/.extraheader`;
      env.GIT_CONFIG_VALUE_0 = `AUTHORIZATION: basic ${basic}`;
    }
    return env;
  }

  run(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
    return new Promise((done, fail) => {
      execFile('git', args, { cwd, env: { ...this.env(), ...extraEnv }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) fail(new GitCommandError(args, this.scrub(String(stderr || err.message)), this.scrub(String(stdout ?? ''))));
        else done(String(stdout));
      });
    });
  }

  /** Removes the token and URL credentials from git's own messages (and from a failed command line). */
  scrub(text: string): string {
    let out = text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (u) => redactUrl(u));
    for (const secret of [...urlSecrets(this.url), ...(this.auth.token ? [this.auth.token] : [])]) out = out.split(secret).join('***');
    return out.trim();
  }
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** host[:port] of a URL, or undefined when it does not parse (never an exception that could show the URL). */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    /** `push --porcelain` reports each ref's fate here, not on stderr. */
    readonly stdout = '',
  ) {
    super(`git ${args[0] ?? ''} failed: ${stderr}`);
  }
}

/**
 * A working clone of a remote config repo in a cache folder that belongs to
 * gen-gitops alone: it is reset to the remote's tip before every render, so
 * nothing a person did elsewhere is ever touched or pushed.
 */
export class RemoteWorkdir {
  readonly git: GitRunner;
  defaultBranch = 'main';

  constructor(
    readonly url: string,
    readonly dir: string,
    auth: RemoteAuth,
    environ: Record<string, string | undefined>,
  ) {
    this.git = new GitRunner(url, auth, environ);
  }

  get display(): string {
    return redactUrl(this.url);
  }

  private fail(action: string, e: unknown, hint: string): never {
    const detail = e instanceof GitCommandError ? e.stderr : this.git.scrub(String((e as Error).message ?? e));
    throw new UserError(`${action} ${this.display} failed: ${detail}\n    hint: ${hint}`);
  }

  /** Clones (first use) or fetches, then checks out the default branch at the remote's tip. */
  async prepare(): Promise<void> {
    const authHint = 'check the URL and that git can reach it (for GitHub over https, set GITHUB_TOKEN to a token with contents: write)';
    if (!existsSync(join(this.dir, '.git'))) {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true });
      try {
        await this.git.run(this.dir, ['clone', '--quiet', '--no-tags', this.url, '.']);
      } catch (e) {
        rmSync(this.dir, { recursive: true, force: true });
        this.fail('cloning', e, authHint);
      }
    }
    try {
      await this.git.run(this.dir, ['remote', 'set-url', 'origin', this.url]);
      await this.git.run(this.dir, ['fetch', '--quiet', '--prune', 'origin']);
    } catch (e) {
      this.fail('fetching', e, authHint);
    }
    this.defaultBranch = await this.remoteDefaultBranch();
    await this.resetTo(this.defaultBranch);
  }

  private async remoteDefaultBranch(): Promise<string> {
    try {
      const out = await this.git.run(this.dir, ['ls-remote', '--symref', 'origin', 'HEAD']);
      const m = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(out);
      if (m) return m[1]!;
    } catch {
      // an empty remote has no HEAD yet
    }
    return 'main';
  }

  /** Local branch `branch` = origin's, or an empty (unborn) branch when the remote has none yet. */
  async resetTo(branch: string): Promise<void> {
    const remoteRef = `refs/remotes/origin/${branch}`;
    const exists = await this.git.run(this.dir, ['rev-parse', '--verify', '--quiet', remoteRef]).then(
      () => true,
      () => false,
    );
    if (exists) {
      await this.git.run(this.dir, ['checkout', '--quiet', '--force', '-B', branch, remoteRef]);
    } else {
      // An unborn branch, even when an earlier run left a local commit on it (a push that failed on a
      // still-empty remote): `checkout --orphan` would refuse ("a branch named … already exists").
      await this.git.run(this.dir, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
      await this.git.run(this.dir, ['update-ref', '-d', `refs/heads/${branch}`]);
      await this.git.run(this.dir, ['read-tree', '--empty']);
    }
    await this.git.run(this.dir, ['clean', '-fdq']);
    // An interrupted earlier run's transaction folder is git-ignored: clean -fd keeps it.
    rmSync(join(this.dir, TXN_DIR), { recursive: true, force: true });
  }

  /**
   * Checks out origin's `branch` when it is exactly one commit on origin's
   * `base` tip (what gen-gitops pushes for a pull request); false otherwise
   * (no such branch, or it is behind the base or carries other commits).
   */
  async checkoutBranchOnTip(branch: string, base: string): Promise<boolean> {
    const rev = (ref: string) =>
      this.git.run(this.dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).then(
        (s) => s.trim(),
        () => undefined,
      );
    const tip = await rev(`refs/remotes/origin/${branch}`);
    const parent = tip && (await rev(`${tip}^`));
    const baseTip = await rev(`refs/remotes/origin/${base}`);
    if (!tip || !parent || !baseTip || parent !== baseTip) return false;
    await this.git.run(this.dir, ['checkout', '--quiet', '--force', '-B', branch, tip]);
    await this.git.run(this.dir, ['clean', '-fdq']);
    rmSync(join(this.dir, TXN_DIR), { recursive: true, force: true });
    return true;
  }

  async fetch(): Promise<void> {
    await this.git.run(this.dir, ['fetch', '--quiet', '--prune', 'origin']);
  }

  /**
   * Pushes HEAD (or `commit`) to `branch`; `force` only for gen-gitops's own PR branches.
   * 'rejected' only when the remote moved meanwhile (worth a fetch and another render);
   * a protected branch or a hook that declined is a failure saying so: retrying cannot help.
   */
  async push(branch: string, opts: { force: boolean; commit?: string }): Promise<'pushed' | 'rejected'> {
    try {
      await this.git.run(this.dir, ['push', '--quiet', '--porcelain', ...(opts.force ? ['--force'] : []), 'origin', `${opts.commit ?? 'HEAD'}:refs/heads/${branch}`]);
      return 'pushed';
    } catch (e) {
      if (!(e instanceof GitCommandError)) throw e;
      // `push --porcelain`: "!\t<src>:<dst>\t[rejected] (fetch first)" or "[remote rejected] (<reason>)" on stdout.
      const status = /^!\t[^\t]*\t(\[[a-z ]+\])\s*(?:\((.*)\))?/m.exec(e.stdout);
      if (status?.[1] === '[rejected]' && /fetch first|non-fast-forward|stale info|already exists/.test(status[2] ?? '')) return 'rejected';
      if (status?.[1] === '[remote rejected]') throw this.declined(branch, status[2] ?? 'declined', e.stderr);
      this.fail('pushing to', e, 'check that the token or SSH key may push to this repository');
    }
  }

  /** The remote refused the push itself: say why, in its own words, and what to do instead. */
  private declined(branch: string, reason: string, stderr: string): UserError {
    const said = stderr
      .split('\n')
      .filter((l) => l.startsWith('remote:'))
      .map((l) => `    ${l.trimEnd()}`)
      .slice(0, 20)
      .join('\n');
    const protectedBranch = /GH006|protected branch/i.test(`${reason}\n${stderr}`);
    const what = protectedBranch
      ? `branch ${branch} is protected`
      : /pre-receive|update hook|hook declined/.test(reason)
        ? 'a hook on the remote declined the push'
        : 'the remote declined the push';
    const hint = protectedBranch
      ? `changes to ${branch} must arrive through a pull request: run with --pr instead of --push (or ask for gen-gitops to be allowed to push to ${branch})`
      : "the remote's message above says what it refused; fix that first, as the same push will be declined again";
    return new UserError(`pushing to ${this.display} was refused: ${what} (${reason})${said ? `\n${said}` : ''}\n    hint: ${hint}`);
  }

  /** Whether origin has `branch` (after the last fetch). */
  async hasRemoteBranch(branch: string): Promise<boolean> {
    return this.git.run(this.dir, ['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${branch}`]).then(
      () => true,
      () => false,
    );
  }

  /** Whether origin has no branch at all (a repository created empty, never pushed to). */
  async remoteIsEmpty(): Promise<boolean> {
    return (await this.git.run(this.dir, ['for-each-ref', '--count=1', '--format=%(refname)', 'refs/remotes/origin/'])).trim() === '';
  }

  /**
   * Gives an empty remote its first commit on `branch` (an empty tree), so a
   * pull request has a base to go into; then checks that branch out.
   */
  async startEmptyRemote(branch: string, who: { name: string; email: string }): Promise<void> {
    const ident = { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
    // The empty tree is an object git always knows.
    const commit = (await this.git.run(this.dir, ['commit-tree', EMPTY_TREE, '-m', `${COMMIT_SUBJECT_PREFIX} start the config repo (empty)`], ident)).trim();
    if ((await this.push(branch, { force: false, commit })) !== 'pushed') {
      throw new UserError(`pushing the first commit to ${this.display} was rejected: someone pushed ${branch} meanwhile\n    hint: run again`);
    }
    await this.fetch();
    await this.resetTo(branch);
  }

  async head(): Promise<string> {
    return (await this.git.run(this.dir, ['rev-parse', 'HEAD'])).trim();
  }

  /** Keeps a commit reachable under a local branch so it is never lost. */
  async keep(ref: string, commit: string): Promise<void> {
    await this.git.run(this.dir, ['branch', '--force', ref, commit]);
  }
}

export function resolveRepoArg(repo: string, cwd: string): { remote?: string; path: string } {
  return isRemoteUrl(repo) ? { remote: repo, path: '' } : { path: resolve(cwd, repo) };
}

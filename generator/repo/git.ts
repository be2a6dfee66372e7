import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SimpleGit, SimpleGitOptions } from 'simple-git';
import { UserError } from '../errors.js';
import { COMMIT_SUBJECT_PREFIX } from './commit-marker.js';
import { crashPoint, TXN_DIR } from './transaction.js';
import { commonGitDirOf, gitDirOf, stateDirOf } from './gitdir.js';
import { Layout } from './layout.js';

const requireCjs = createRequire(import.meta.url);
let simpleGitFactory: typeof import('simple-git').simpleGit | undefined;
/** simple-git, loaded on first use: read-only runs (--dry-run, --check, validate) never pay for loading it. */
function simpleGit(options: Partial<SimpleGitOptions>): SimpleGit {
  simpleGitFactory ??= (requireCjs('simple-git') as typeof import('simple-git')).simpleGit;
  return simpleGitFactory(options);
}

export interface Author {
  name: string;
  email: string;
}

/**
 * No hook of the config repo runs (pre-commit, commit-msg, post-commit,
 * reference-transaction...): the commit is exactly the rendered files, the
 * same on every machine, and a hook checked into or planted in a config
 * repo runs no code in the run that deploys production. Passed as `-c` to
 * every git command that commits or moves a ref (simple-git refuses to set
 * core.hooksPath unless told: here it only ever points at /dev/null).
 */
const NO_HOOKS = 'core.hooksPath=/dev/null';

/** Used when neither --author nor git's own user.name/user.email is set. */
export const DEFAULT_AUTHOR: Author = { name: 'gen-gitops', email: 'gen-gitops@localhost' };

export function parseAuthor(s: string): Author {
  const m = /^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(s);
  if (!m) throw new UserError(`--author must look like "Name <email@example.com>", got "${s}"`, 2);
  return { name: m[1]!, email: m[2]! };
}

/** The local working tree of the config repo, behind the few operations a run needs. */
export class LocalConfigRepo {
  private readonly git: SimpleGit;

  constructor(readonly root: string) {
    this.git = simpleGit({ baseDir: root, config: ['core.quotepath=off', NO_HOOKS], unsafe: { allowUnsafeHooksPath: true } });
  }

  /** True when `open` ran `git init` (this run made the repository). */
  created = false;

  /**
   * Creates and `git init`s the folder if it is not a repository yet. A
   * `.git` folder without HEAD (only the lock of a run waiting for a
   * repository that was removed meanwhile) is not a repository yet.
   */
  static async open(root: string, opts: { create: boolean }): Promise<LocalConfigRepo> {
    let created = false;
    if (gitDirOf(root) === undefined) {
      if (!opts.create) throw new UserError(`${root} is not a Git repository; run without --dry-run once to create it, or pass --repo <path>`);
      mkdirSync(root, { recursive: true });
      await simpleGit({ baseDir: root }).init(['--initial-branch=main']);
      created = true;
    }
    const repo = new LocalConfigRepo(root);
    repo.created = created;
    repo.excludeStaging();
    return repo;
  }

  /** Keeps a killed run's transaction folder out of `git status` and out of commits. */
  private excludeStaging(): void {
    // info/exclude is read from the common git directory, also for a linked worktree.
    const info = join(commonGitDirOf(stateDirOf(this.root)), 'info');
    const exclude = join(info, 'exclude');
    let current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
    const lines = [`/${TXN_DIR}/`].filter((l) => !current.split('\n').includes(l));
    if (lines.length === 0) return;
    mkdirSync(info, { recursive: true });
    if (current && !current.endsWith('\n')) current += '\n';
    writeFileSync(exclude, `${current}${lines.join('\n')}\n`);
  }

  /** Uncommitted changes anywhere in the working tree (staged, unstaged, untracked), sorted. */
  async uncommitted(): Promise<string[]> {
    const out = await this.git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
    const paths: string[] = [];
    const entries = out.split('\0');
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.length < 4) continue;
      paths.push(e.slice(3));
      if (e[0] === 'R' || e[0] === 'C') i++; // the rename's source follows
    }
    return [...new Set(paths)].sort();
  }

  /**
   * Paths whose latest commit was not made by gen-gitops (a person edited a
   * generated file and committed it). One `git log` over the given paths.
   */
  async manuallyEdited(paths: string[]): Promise<string[]> {
    if (paths.length === 0 || (await this.head()) === undefined) return [];
    const wanted = new Set(paths);
    const out = await this.git.raw(['log', '--format=%x1e%s', '--name-only', '--no-renames', '--', ...new Set(paths.map(Layout.historyScopeOf))]);
    const seen = new Set<string>();
    const manual: string[] = [];
    for (const block of out.split('\x1e').slice(1)) {
      const [subject = '', ...files] = block.split('\n').map((l) => l.trim());
      for (const f of files) {
        if (!f || seen.has(f) || !wanted.has(f)) continue;
        seen.add(f);
        if (!subject.startsWith(COMMIT_SUBJECT_PREFIX)) manual.push(f);
      }
      if (seen.size === wanted.size) break;
    }
    return manual.sort();
  }

  /**
   * Refuses a detached HEAD unless `force`: a commit there is on no branch,
   * so ArgoCD (which follows a branch) never sees it and the next checkout
   * leaves it behind.
   */
  async requireBranch(force: boolean): Promise<void> {
    if (force) return;
    // Without -q: simple-git takes a failing command for success when it prints nothing to stderr.
    const onBranch = await this.git.raw(['symbolic-ref', 'HEAD']).then(
      () => true,
      () => false,
    );
    if (onBranch) return;
    const at = (await this.head())?.slice(0, 12) ?? 'no commit';
    throw new UserError(
      `the config repo ${this.root} has a detached HEAD (at ${at}): a commit there would be on no branch, and ArgoCD, which follows a branch, would not see it\n    hint: check out the branch ArgoCD follows (git switch main), or pass --force to commit on the detached HEAD anyway`,
      2,
    );
  }

  async head(): Promise<string | undefined> {
    try {
      return (await this.git.revparse(['HEAD'])).trim();
    } catch {
      return undefined;
    }
  }

  /** Paths with uncommitted changes (staged, unstaged or untracked) under the given folders. */
  async dirtyPaths(pathspecs: string[]): Promise<string[]> {
    const status = await this.git.status(['--untracked-files=all', '--', ...pathspecs]);
    return status.files.map((f) => f.path).sort();
  }

  /** The committed content of a file, if HEAD has it. */
  async committedFile(path: string): Promise<string | undefined> {
    try {
      return await this.git.show([`HEAD:${path}`]);
    } catch {
      return undefined;
    }
  }

  /** Undoes `git add` of our paths after a failed commit. */
  async unstage(paths: string[]): Promise<void> {
    const noHead = (await this.head()) === undefined;
    await withPathspecFile(paths, (spec) => this.git.raw(noHead ? ['rm', '--cached', '-r', '--quiet', '--ignore-unmatch', ...spec] : ['reset', '--quiet', ...spec])).catch(
      () => undefined,
    );
  }

  private async configuredAuthor(): Promise<Author | undefined> {
    const name = (await this.git.raw(['config', '--get', 'user.name']).catch(() => '')).trim();
    const email = (await this.git.raw(['config', '--get', 'user.email']).catch(() => '')).trim();
    return name && email ? { name, email } : undefined;
  }

  /**
   * Starts the commit of exactly these files (content as it will be in the
   * working tree, or undefined for a deletion) before they are written:
   * fast-import reads the contents from a stream file in the background
   * (another core) while the caller writes the same files, and `finish()` —
   * once they are written — stages them and moves HEAD, returning the new
   * commit, or undefined when nothing differs from HEAD. `abort()` drops the
   * commit when the write fails. Either must be called.
   *
   * fast-import writes one pack instead of a loose object file per blob and
   * tree, which for a fleet's first render was most of the commit's cost
   * (file creation is the expensive part on many disks). Repos that sign
   * commits or filter content on add (attributes, autocrlf) take
   * `git commit`, which honours both.
   */
  async prepareCommit(files: CommitFile[], message: string, author?: Author): Promise<PendingCommit> {
    const paths = files.map((f) => f.path);
    const undo = async (e: unknown): Promise<never> => {
      await this.unstage(paths);
      throw e;
    };
    if (files.length === 0) return { finish: async () => undefined, abort: async () => undefined };
    if (!(await this.canFastCommit())) {
      return { finish: () => this.commit(paths, message, author).catch(undo), abort: async () => undefined };
    }
    const who = author ?? (await this.configuredAuthor()) ?? DEFAULT_AUTHOR;
    const head = await this.head();
    await this.git.raw(['update-ref', '-d', PENDING_REF]).catch(() => undefined);
    const importing = this.startFastImport(files, message, await this.ident(who), head);
    const dropPendingRef = () => this.git.raw(['update-ref', '-d', PENDING_REF]).catch(() => undefined);
    return {
      finish: async () => {
        try {
          await importing.done;
          const [created = '', createdTree = '', headTree = ''] = (await this.git.raw(['rev-parse', PENDING_REF, `${PENDING_REF}^{tree}`, ...(head ? [`${head}^{tree}`] : [])]))
            .trim()
            .split('\n');
          // The index follows before HEAD moves, so a run killed in between leaves a state the
          // transaction journal already handles (HEAD unmoved: the working tree is rolled back).
          // The blobs are in the pack already: this only hashes the files, it writes no object.
          await this.stage(paths);
          crashPoint('indexed');
          if (head && createdTree === headTree) return undefined;
          await this.git.raw(['update-ref', '-m', `commit: ${message.split('\n')[0] ?? ''}`, 'HEAD', created, head ?? '']);
          return created;
        } catch (e) {
          return undo(e);
        } finally {
          await dropPendingRef();
        }
      },
      abort: async () => {
        importing.kill();
        await importing.done.catch(() => undefined);
        await dropPendingRef();
      },
    };
  }

  /** Whether a commit built by fast-import is exactly what `git commit` would make here. */
  private async canFastCommit(): Promise<boolean> {
    const config = await this.git.raw(['config', '--list', '-z']).catch(() => '');
    for (const entry of config.split('\0')) {
      const [key = '', value = ''] = entry.split('\n');
      const k = key.toLowerCase();
      if (k === 'commit.gpgsign' && ['true', 'yes', 'on', '1'].includes(value.toLowerCase())) return false;
      if (k === 'core.autocrlf' && value.toLowerCase() !== 'false' && value.toLowerCase() !== 'input') return false;
      if (k === 'core.attributesfile' || (k.startsWith('filter.') && (k.endsWith('.clean') || k.endsWith('.process')))) return false;
    }
    return !existsSync(join(this.root, '.gitattributes')) && !existsSync(join(commonGitDirOf(stateDirOf(this.root)), 'info', 'attributes'));
  }

  /**
   * Runs `git fast-import` on a stream file, so it proceeds while this
   * process is busy (a pipe would only be fed when the event loop runs).
   * The commit goes to PENDING_REF, not HEAD.
   */
  /**
   * The identity line `git commit` would write for this author ("Name <email>
   * seconds offset"): git drops characters an ident cannot hold (`<`, `>`,
   * newlines) and trims the name, where fast-import takes the line as given
   * and refuses `Ops <team>` or writes a broken ident.
   */
  private async ident(who: Author): Promise<string> {
    const environ = { ...process.env, GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email };
    return new Promise((done, fail) => {
      execFile('git', ['var', 'GIT_AUTHOR_IDENT'], { cwd: this.root, env: environ }, (err, out, stderr) => {
        if (err)
          fail(
            new UserError(
              `git refuses the commit author "${who.name} <${who.email}>": ${String(stderr).trim() || err.message}\n    hint: pass --author "Name <email@example.com>"`,
              2,
            ),
          );
        else done(String(out).trim());
      });
    });
  }

  private startFastImport(files: CommitFile[], message: string, ident: string, head: string | undefined): { done: Promise<void>; kill(): void } {
    // Inside .git: a killed run's leftover is overwritten by the next one, never piles up in /tmp.
    mkdirSync(join(stateDirOf(this.root), 'gen-gitops'), { recursive: true });
    const file = join(stateDirOf(this.root), 'gen-gitops', 'commit.fast-import');
    let out: number | undefined;
    try {
      out = openSync(file, 'w');
      // Written in pieces of about a megabyte: a fleet's stream is tens of megabytes, not worth
      // holding twice, and a write call per file would be thousands of system calls.
      let buffered: string[] = [];
      let size = 0;
      const fd = out;
      const write = (text: string, last = false) => {
        buffered.push(text);
        size += text.length;
        if (size < 1 << 20 && !last) return;
        writeSync(fd, buffered.join(''));
        buffered = [];
        size = 0;
      };
      write(`commit ${PENDING_REF}\nauthor ${ident}\ncommitter ${ident}\n${dataBlock(message)}`);
      if (head) write(`from ${head}\n`);
      for (const f of files) write(f.content === undefined ? `D ${fastImportPath(f.path)}\n` : `M 100644 inline ${fastImportPath(f.path)}\n${dataBlock(f.content)}`);
      write('\ndone\n', true);
    } catch (e) {
      // A full disk (ENOSPC) or a folder in the way (EISDIR): no partial stream stays behind.
      if (out !== undefined) closeSync(out);
      out = undefined;
      try {
        rmSync(file, { force: true });
      } catch {
        // not a file: nothing of ours to remove
      }
      throw new UserError(
        `cannot write the commit stream ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; nothing was changed\n    hint: free disk space in the config repo's file system and run again`,
      );
    } finally {
      if (out !== undefined) closeSync(out);
    }
    const input = openSync(file, 'r');
    let stderr = '';
    const child = spawn('git', ['-c', NO_HOOKS, 'fast-import', '--quiet', '--done', '--date-format=raw'], { cwd: this.root, stdio: [input, 'ignore', 'pipe'] });
    closeSync(input);
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<void>((ok, fail) => {
      child.once('error', fail);
      child.once('close', (code, signal) => (code === 0 ? ok() : fail(new Error(`git fast-import failed: ${stderr.trim() || `exit ${code ?? signal}`}`))));
    }).finally(() => rmSync(file, { force: true }));
    return { done, kill: () => child.kill() };
  }

  /**
   * Stages exactly `paths` (additions, changes and deletions) and commits
   * them with `git commit`. Returns the new commit, or undefined when nothing differs from HEAD.
   */
  async commit(paths: string[], message: string, author?: Author): Promise<string | undefined> {
    if (paths.length === 0) return undefined;
    // Paths go through stdin or a pathspec file: a fleet's thousands of paths overflow argv (spawn E2BIG).
    await this.stage(paths);
    // `git diff` takes no pathspec file: list everything staged, keep ours.
    const ours = new Set(paths);
    const staged = (await this.git.raw(['diff', '--cached', '--no-renames', '--name-only', '-z'])).split('\0').filter(Boolean);
    if (!staged.some((p) => ours.has(p))) return undefined;
    const who = author ?? (await this.configuredAuthor()) ?? DEFAULT_AUTHOR;
    const identity = simpleGit({ baseDir: this.root, config: [`user.name=${who.name}`, `user.email=${who.email}`, NO_HOOKS], unsafe: { allowUnsafeHooksPath: true } });
    // The message lists every file: for a fleet it is larger than one argument may be.
    return withTempFile(message, async (file) => {
      const args = ['commit', '--no-verify', '--quiet', `--file=${file}`];
      // Only our paths: anything else someone staged in this repo stays staged, uncommitted. When
      // nothing else is staged, the index is exactly our change and needs no pathspecs (matching
      // thousands of them is quadratic in git).
      if (staged.every((p) => ours.has(p))) await identity.raw(args);
      else await withPathspecFile(paths, (spec) => identity.raw([...args, ...spec]));
      return this.head();
    });
  }

  /**
   * `git add --all` of exactly these files (additions, changes, deletions),
   * as `git update-index --add --remove --stdin`: linear in the number of
   * paths, where `git add` with a pathspec per file is quadratic (seconds for a fleet).
   */
  private async stage(paths: string[]): Promise<void> {
    await runGit(this.root, ['-c', 'core.quotepath=off', '-c', NO_HOOKS, 'update-index', '--add', '--remove', '-z', '--stdin'], [`${paths.join('\0')}\0`]);
  }
}

/** One file of a commit: its new content, or undefined when it is deleted. */
export interface CommitFile {
  path: string;
  content: string | undefined;
}

/** A commit being built; see LocalConfigRepo.prepareCommit. */
export interface PendingCommit {
  /** Stages the files (now in the working tree) and moves HEAD: the new commit, or undefined when nothing differs from HEAD. */
  finish(): Promise<string | undefined>;
  /** Drops the commit (the files were not written). */
  abort(): Promise<void>;
}

/** Where fast-import leaves the commit until HEAD is moved onto it. */
const PENDING_REF = 'refs/gen-gitops/pending';

/** fast-import's `data <bytes>` block; the length counts bytes, not characters. */
function dataBlock(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

/** A path in a fast-import command: C-style quoted when it could be misread. */
function fastImportPath(path: string): string {
  if (!/^["]|[\n\\"]/.test(path)) return path;
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Runs git with `input` on stdin; rejects with git's own message. */
function runGit(cwd: string, args: string[], input: (string | Buffer)[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, out, stderr) =>
      err ? fail(new Error(`git ${args[0]} failed: ${stderr.trim() || err.message}`)) : done(out),
    );
    child.stdin?.on('error', () => undefined); // git exiting early reports through the callback
    for (const chunk of input) child.stdin?.write(chunk);
    child.stdin?.end();
  });
}

let tempFiles = 0;
async function withTempFile<T>(content: string, fn: (file: string) => Promise<T>): Promise<T> {
  const file = join(tmpdir(), `gen-gitops-${process.pid}-${tempFiles++}`);
  writeFileSync(file, content);
  try {
    return await fn(file);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Runs `fn` with git arguments that read `paths` (literal, NUL-separated) from a temporary file. */
function withPathspecFile<T>(paths: string[], fn: (spec: string[]) => Promise<T>): Promise<T> {
  return withTempFile(paths.map((p) => `:(literal)${p}`).join('\0'), (file) => fn([`--pathspec-from-file=${file}`, '--pathspec-file-nul']));
}

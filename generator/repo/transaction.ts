import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileChange } from '../render/plan.js';
import { readTree, workingTreeText } from './tree.js';
import { phaseDone } from '../timing.js';
import { UserError } from '../errors.js';

/**
 * All-or-nothing replacement of the config repo's generated folders.
 *
 * 1. stage: every target (a generated folder, or a single file outside one)
 *    is written in full under .gen-gitops-txn/new/ — the working tree is
 *    not touched yet; a crash or a full disk here leaves it as it was;
 * 2. journal: journal.json records the targets and HEAD, then is fsync'ed;
 * 3. swap: each target is moved to .gen-gitops-txn/old/ and its staged
 *    version moved into place (renames, same file system);
 * 4. commit (the caller's git commit), then the transaction folder is removed.
 *
 * A run that dies anywhere leaves the folder behind; the next run calls
 * `recover()`, which puts back the old versions unless the commit already
 * happened (HEAD moved), so the tree is always either as it was or fully
 * updated and committed.
 */
export const TXN_DIR = '.gen-gitops-txn';

interface JournalItem {
  target: string;
  /** The target existed before (and so has a backup). */
  existed: boolean;
  /** The new version exists (false: the target is removed). */
  present: boolean;
}

interface Journal {
  head: string | undefined;
  items: JournalItem[];
}

/** Test hook: GEN_GITOPS_TEST_CRASH_AT=<point> kills the process at that point, like a power cut. */
export function crashPoint(point: string): void {
  if (process.env.GEN_GITOPS_TEST_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}

/**
 * Groups changed paths by the owned folder they live in (the first of
 * `ownedDirs` that holds them); other paths are their own target. Looks up
 * each path's parent folders in a map, so a fleet's thousands of folders stay linear.
 */
function targetsOf(changes: FileChange[], ownedDirs: string[]): Map<string, FileChange[]> {
  const rank = new Map<string, number>();
  ownedDirs.forEach((d, i) => {
    if (!rank.has(d)) rank.set(d, i);
  });
  const groups = new Map<string, FileChange[]>();
  for (const c of changes) {
    let target = c.path;
    let best = Infinity;
    for (let i = c.path.indexOf('/'); i !== -1; i = c.path.indexOf('/', i + 1)) {
      const r = rank.get(c.path.slice(0, i));
      if (r !== undefined && r < best) {
        best = r;
        target = c.path.slice(0, i);
      }
    }
    const g = groups.get(target);
    if (g) g.push(c);
    else groups.set(target, [c]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Moves each target up to its highest ancestor that does not exist yet:
 * everything under a missing folder is new, so the folder is staged whole
 * and moved in with one rename. A fleet's first write is then a handful of
 * renames (envs/, argocd/...) instead of a folder created and two renames
 * per environment.
 */
function intoMissingAncestors(root: string, groups: Map<string, FileChange[]>): Map<string, FileChange[]> {
  const exists = new Map<string, boolean>();
  const present = (p: string) => {
    let v = exists.get(p);
    if (v === undefined) exists.set(p, (v = existsSync(join(root, p))));
    return v;
  };
  const out = new Map<string, FileChange[]>();
  for (const [target, changes] of groups) {
    let top = target;
    for (let i = target.indexOf('/'); i !== -1; i = target.indexOf('/', i + 1)) {
      if (!present(target.slice(0, i))) {
        top = target.slice(0, i);
        break;
      }
    }
    const g = out.get(top);
    if (g) g.push(...changes);
    else out.set(top, [...changes]);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeDurable(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  fsyncFile(path);
}

/**
 * Makes staged files durable before the journal names them. Many files: one
 * syncfs of their file system (`sync -f`, Linux), which also covers the
 * folders, instead of thousands of fsyncs (seconds for a fleet); else, or
 * where `sync -f` is missing, an fsync per file.
 */
function syncStaged(dir: string, paths: string[]): void {
  if (paths.length > 64 && process.platform === 'linux' && spawnSync('sync', ['-f', dir], { stdio: 'ignore' }).status === 0) return;
  for (const p of paths) fsyncFile(p);
}

/**
 * `prestaged`: files (path → content) a BackgroundStager already wrote under
 * the staging folder; they are not written again, and the staging folder is
 * kept rather than cleared first.
 */
export async function applyTransaction(
  root: string,
  changes: FileChange[],
  ownedDirs: string[],
  head: string | undefined,
  commit: () => Promise<string | undefined>,
  prestaged?: Map<string, string>,
): Promise<string | undefined> {
  const txn = join(root, TXN_DIR);
  if (changes.length === 0) {
    if (prestaged) rmSync(txn, { recursive: true, force: true });
    return undefined;
  }
  if (!prestaged) rmSync(txn, { recursive: true, force: true });
  const items: JournalItem[] = [];
  const toDisk = workingTreeText(root);
  try {
    // 1. stage
    const byPath = new Map(changes.map((c) => [c.path, c]));
    const staged: string[] = [];
    const made = new Set<string>();
    const stage = (path: string, text: string) => {
      const abs = join(txn, 'new', path);
      staged.push(abs);
      if (prestaged?.get(path) === text) return;
      if (!made.has(dirname(abs))) mkdirSync(dirname(abs), { recursive: true });
      made.add(dirname(abs));
      writeFileSync(abs, toDisk(text));
    };
    for (const [target, targetChanges] of intoMissingAncestors(root, targetsOf(changes, ownedDirs))) {
      const existed = existsSync(join(root, target));
      if (byPath.has(target)) {
        const c = byPath.get(target)!;
        if (c.kind !== 'deleted') stage(target, c.after ?? '');
        items.push({ target, existed, present: c.kind !== 'deleted' });
        continue;
      }
      // A generated folder: its current files with the changes applied.
      const files = readTree(root, [target]);
      for (const c of targetChanges) {
        if (c.kind === 'deleted') files.delete(c.path);
        else files.set(c.path, c.after ?? '');
      }
      for (const [path, text] of files) stage(path, text);
      items.push({ target, existed, present: files.size > 0 });
    }
    phaseDone('stage files');
    syncStaged(join(txn, 'new'), staged);
    phaseDone('sync staged files');
    crashPoint('staged');
    // 2. journal
    writeDurable(join(txn, 'journal.json'), `${JSON.stringify({ head, items } satisfies Journal)}\n`);
  } catch (e) {
    rmSync(txn, { recursive: true, force: true });
    throw e;
  }
  // 3. swap
  const interrupted = deferSignals();
  try {
    let current = '';
    try {
      items.forEach((item, i) => {
        current = item.target;
        const live = join(root, item.target);
        if (item.existed) {
          mkdirSync(dirname(join(txn, 'old', item.target)), { recursive: true });
          renameSync(live, join(txn, 'old', item.target));
        }
        if (item.present) {
          mkdirSync(dirname(live), { recursive: true });
          renameSync(join(txn, 'new', item.target), live);
        }
        if (i === 0) crashPoint('swapping');
      });
    } catch (e) {
      // A rename that fails half-way (a file where a folder must go, a permission) is undone
      // like a failed commit: the renames done so far are reversed, the staging folder removed.
      rollback(root, items);
      throw new UserError(
        `could not move ${current} into place in the config repo ${root}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (${(e as NodeJS.ErrnoException).path ?? current}); every change was rolled back\n    hint: a file or folder in the config repo is in the way of gen-gitops's folders; move it away (git mv) and run again`,
      );
    }
    crashPoint('swapped');
    phaseDone('swap folders');
    // 4. commit
    let sha: string | undefined;
    try {
      sha = await commit();
      phaseDone('git commit');
    } catch (e) {
      rollback(root, items);
      throw e;
    }
    crashPoint('committed');
    rmSync(txn, { recursive: true, force: true });
    return sha;
  } finally {
    interrupted.release();
  }
}

function rollback(root: string, items: JournalItem[]): void {
  const txn = join(root, TXN_DIR);
  for (const item of [...items].reverse()) {
    const live = join(root, item.target);
    const old = join(txn, 'old', item.target);
    if (item.existed && !existsSync(old)) continue; // never moved away
    if (!item.existed && !item.present) continue;
    const swapped = item.existed ? true : !existsSync(join(txn, 'new', item.target));
    if (!swapped) continue;
    rmSync(live, { recursive: true, force: true });
    if (item.existed) {
      mkdirSync(dirname(live), { recursive: true });
      renameSync(old, live);
    }
  }
  rmSync(txn, { recursive: true, force: true });
}

/**
 * Finishes what a killed run left: rolls back an uncommitted swap, or just
 * cleans up when its commit went through. Returns what it did, for the log.
 */
export function recover(root: string, currentHead: string | undefined): 'none' | 'rolled-back' | 'cleaned' {
  const txn = join(root, TXN_DIR);
  if (!existsSync(txn)) return 'none';
  let journal: Journal | undefined;
  try {
    journal = JSON.parse(readFileSync(join(txn, 'journal.json'), 'utf8')) as Journal;
  } catch {
    journal = undefined; // died while staging: the tree was never touched
  }
  if (!journal || journal.head !== currentHead) {
    rmSync(txn, { recursive: true, force: true });
    return 'cleaned';
  }
  rollback(root, journal.items);
  restoreIndex(
    root,
    journal.head,
    journal.items.map((i) => i.target),
  );
  return 'rolled-back';
}

/**
 * The commit stages its paths (update-index) before it moves HEAD: a run
 * killed in between leaves them staged, and the rolled-back tree would then
 * show as "uncommitted changes" to the next run. The index entries of the
 * transaction's targets go back to HEAD's (or away when there is no commit).
 */
function restoreIndex(root: string, head: string | undefined, targets: string[]): void {
  if (targets.length === 0) return;
  const args = head
    ? ['reset', '--quiet', head, '--pathspec-from-file=-', '--pathspec-file-nul']
    : ['rm', '--cached', '-r', '--quiet', '--ignore-unmatch', '--pathspec-from-file=-', '--pathspec-file-nul'];
  const r = spawnSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], {
    cwd: root,
    input: `${targets.map((t) => `:(literal)${t}`).join('\0')}\0`,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  if (r.status !== 0)
    throw new UserError(
      `restoring the index of ${root} after an interrupted run failed: ${String(r.stderr).trim()}\n    hint: run \`git reset -- ${targets.join(' ')}\` in the config repo`,
    );
}

/**
 * Ctrl-C during the few renames would otherwise stop half-way; the signal
 * is held until the transaction has committed or rolled back, then re-sent.
 */
function deferSignals(): { release(): void } {
  const received: NodeJS.Signals[] = [];
  const hold = (s: NodeJS.Signals) => received.push(s);
  process.on('SIGINT', hold);
  process.on('SIGTERM', hold);
  return {
    release() {
      process.off('SIGINT', hold);
      process.off('SIGTERM', hold);
      const s = received[0];
      if (s) process.kill(process.pid, s);
    },
  };
}

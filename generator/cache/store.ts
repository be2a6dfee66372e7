import { gitDirOf } from '../repo/gitdir.js';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFingerprint } from './fingerprint.js';

/**
 * Where gen-gitops keeps what it remembers about a config repo: files in
 * its .git/gen-gitops/ (never in the working tree, never committed), each
 * tagged with the gen-gitops build that wrote it. Only an accelerator: a
 * file that is missing, damaged, or from another build reads as empty, and
 * one that cannot be written is skipped.
 */

interface Stored<T> {
  format: number;
  build: string;
  entries: Record<string, T>;
}

/** The file `name` of the config repo at `root` (in its git directory, also a linked worktree's); undefined when it is not a repo yet. */
export function cachePath(root: string, name: string): string | undefined {
  const gitDir = gitDirOf(root);
  return gitDir ? join(gitDir, 'gen-gitops', name) : undefined;
}

/** The entries of a cache file written by this build in this format; empty otherwise. */
export function readCache<T>(file: string | undefined, format: number): Map<string, T> {
  if (!file) return new Map();
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Stored<T>>;
    if (stored.format === format && stored.build === buildFingerprint() && typeof stored.entries === 'object' && stored.entries !== null)
      return new Map(Object.entries(stored.entries));
  } catch {
    // absent or damaged
  }
  return new Map();
}

/** Writes a cache file whole or not at all (temporary file, then rename), entries sorted. */
export function writeCache<T>(file: string, format: number, entries: Iterable<[string, T]>): void {
  const stored: Stored<T> = { format, build: buildFingerprint(), entries: Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1))) };
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(stored)}\n`);
    renameSync(tmp, file);
  } catch {
    // a read-only .git costs speed, not correctness
  }
}

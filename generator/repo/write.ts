import { mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileChange } from '../render/plan.js';

export const STAGING_PREFIX = '.gen-gitops-staging-';

/**
 * Applies changes to the working tree. Every new file is first written in
 * full to a staging folder inside the repo (same file system), and only then
 * moved into place by rename, so no file is ever seen half-written and a
 * failure while writing leaves the tree untouched.
 */
export function applyChanges(root: string, changes: FileChange[]): void {
  if (changes.length === 0) return;
  removeStaleStaging(root);
  const staging = join(root, `${STAGING_PREFIX}${process.pid}`);
  mkdirSync(staging, { recursive: true });
  try {
    const staged: { from: string; to: string }[] = [];
    changes.forEach((c, i) => {
      if (c.kind === 'deleted') return;
      const from = join(staging, String(i));
      writeFileSync(from, c.after ?? '');
      staged.push({ from, to: join(root, c.path) });
    });
    for (const s of staged) {
      mkdirSync(dirname(s.to), { recursive: true });
      renameSync(s.from, s.to);
    }
    for (const c of changes) if (c.kind === 'deleted') rmSync(join(root, c.path), { force: true });
    for (const c of changes) if (c.kind === 'deleted') removeEmptyParents(root, dirname(c.path));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Staging folders left by a run that was killed. */
export function removeStaleStaging(root: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const e of entries) if (e.startsWith(STAGING_PREFIX)) rmSync(join(root, e), { recursive: true, force: true });
}

function removeEmptyParents(root: string, rel: string): void {
  for (let dir = rel; dir && dir !== '.'; dir = dirname(dir)) {
    try {
      rmdirSync(join(root, dir));
    } catch {
      return;
    }
  }
}

/** The changes that undo `changes` (used when the commit after a write fails). */
export function inverseChanges(changes: FileChange[]): FileChange[] {
  return changes.map((c) =>
    c.kind === 'added'
      ? { path: c.path, kind: 'deleted', before: c.after }
      : c.kind === 'deleted'
        ? { path: c.path, kind: 'added', after: c.before }
        : { path: c.path, kind: 'changed', before: c.after, after: c.before },
  );
}

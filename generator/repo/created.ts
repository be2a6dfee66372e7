import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TXN_DIR } from './transaction.js';
import { LOCK_NAME } from './lock.js';

/**
 * Removes a repository this run created (`git init`) and that received no
 * commit, while the run still holds its lock: everything in `.git` but the
 * lock itself (a run waiting for the lock must find it, not a missing
 * folder), and the staging folder. Nothing else in the folder is touched:
 * a folder that existed before holds someone's files.
 */
export function removeCreatedRepo(root: string): void {
  rmSync(join(root, TXN_DIR), { recursive: true, force: true });
  const gitDir = join(root, '.git');
  let entries: string[] = [];
  try {
    entries = readdirSync(gitDir);
  } catch {
    return;
  }
  for (const e of entries) if (e !== LOCK_NAME && e !== `${LOCK_NAME}.holder`) rmSync(join(gitDir, e), { recursive: true, force: true });
}

/**
 * After the lock is released: `.git`, and the folder when the run made it,
 * go if they are empty. Another run may have taken the lock meanwhile (and
 * will create the repository again): then they are not empty and stay.
 */
export function removeEmptyFolders(root: string, hadRoot: boolean): void {
  for (const dir of hadRoot ? [join(root, '.git')] : [join(root, '.git'), root]) {
    try {
      rmdirSync(dir);
    } catch {
      return;
    }
  }
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The git directory of the working tree at `root`: `root/.git`, or, for a
 * linked worktree (`git worktree add`) whose `.git` is a file, the folder
 * that file names. Undefined when `root` is not (yet) a repository. Read
 * from the file system, not `git rev-parse`: a run asks before every lock.
 */
export function gitDirOf(root: string): string | undefined {
  const dotGit = join(root, '.git');
  let isDir: boolean;
  try {
    isDir = statSync(dotGit).isDirectory();
  } catch {
    return undefined;
  }
  if (isDir) return existsSync(join(dotGit, 'HEAD')) ? dotGit : undefined;
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
  if (!m) return undefined;
  const dir = isAbsolute(m[1]!) ? m[1]! : resolve(root, m[1]!);
  return existsSync(join(dir, 'HEAD')) ? dir : undefined;
}

/** The folder shared by all worktrees of the repository (where info/exclude is read). */
export function commonGitDirOf(gitDir: string): string {
  const file = join(gitDir, 'commondir');
  if (!existsSync(file)) return gitDir;
  const common = readFileSync(file, 'utf8').trim();
  return isAbsolute(common) ? common : resolve(gitDir, common);
}

/** Where gen-gitops keeps its state for the working tree at `root` (lock, caches, commit stream). */
export function stateDirOf(root: string): string {
  return gitDirOf(root) ?? join(root, '.git');
}

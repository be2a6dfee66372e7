import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { isInside } from '../environment/source.js';

/** The path as the file system resolves it; a part that does not exist yet is kept as written. */
function real(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(real(parent), basename(path));
  }
}

/** Whether the source repository's git ignores the folder `path` (trailing slash: a `dir/` pattern matches a folder not created yet). */
function ignoredBySource(source: string, path: string): boolean {
  const r = spawnSync('git', ['-C', source, 'check-ignore', '-q', '--', `${path}/`], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * The config repo is written, committed and cleaned by gen-gitops; the
 * source repository is what it reads. They must never be one tree: an
 * empty `--repo` (an unset variable in CI) or `--repo .` would otherwise
 * render into the source repository, overwrite its README.md and commit
 * there. A config repo nested inside the source is only accepted where the
 * source's git ignores it (the default `./gitops` is in .gitignore), so it
 * is not part of what the source repository holds.
 */
export function checkConfigRepoPath(repoArg: string, repo: string, source: string): void {
  if (repoArg.trim() === '') {
    throw new UsageError('--repo is empty (an unset variable?); name the config repo folder, e.g. --repo ./gitops, or leave --repo out');
  }
  const r = real(repo);
  const s = real(source);
  const fix = 'use a folder outside the source repository, e.g. --repo ../gitops, or the default ./gitops';
  if (r === s) throw new UsageError(`--repo ${repo} is the source repository (--source ${source}); gen-gitops would overwrite its files and commit into it\n    hint: ${fix}`);
  if (isInside(r, s)) throw new UsageError(`--repo ${repo} contains the source repository (--source ${source}); gen-gitops would write and commit around it\n    hint: ${fix}`);
  if (isInside(s, r) && !ignoredBySource(s, r)) {
    throw new UsageError(
      `--repo ${repo} is inside the source repository (--source ${source}) and not ignored by it; gen-gitops would write into the source's own files\n    hint: ${fix}, or list the folder in the source's .gitignore`,
    );
  }
}

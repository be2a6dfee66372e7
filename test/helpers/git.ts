import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

export function commitCount(repo: string): number {
  if (!existsSync(join(repo, '.git'))) return 0;
  try {
    return Number(git(repo, 'rev-list', '--count', 'HEAD').trim());
  } catch {
    return 0;
  }
}

/** Every file of a working tree (without .git) → content; for before/after comparisons. */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      if (e === '.git') continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return out;
}

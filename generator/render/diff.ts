import { createRequire } from 'node:module';
import type { FileChange } from './plan.js';

/** `diff`, loaded on first use: only --diff and summaries need it, not every run. */
let diffLib: typeof import('diff') | undefined;
const diffLibrary = () => (diffLib ??= createRequire(import.meta.url)('diff') as typeof import('diff'));

/** A git-style unified diff of one change (the `diff` package, not hand-written). */
export function unifiedDiff(c: FileChange): string {
  const from = c.kind === 'added' ? '/dev/null' : `a/${c.path}`;
  const to = c.kind === 'deleted' ? '/dev/null' : `b/${c.path}`;
  return diffLibrary()
    .createTwoFilesPatch(from, to, c.before ?? '', c.after ?? '', undefined, undefined, { context: 3 })
    .split('\n')
    .filter((l) => !l.startsWith('====='))
    .join('\n');
}

/** Lines added and removed, for diff stats. */
export function diffStat(c: FileChange): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of unifiedDiff(c).split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    else if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { added, removed };
}

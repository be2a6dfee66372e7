import { formatProblem, type InputProblem } from './errors.js';
import type { GenerateResult } from './pipeline/result.js';
import { FILE_LIST_LIMIT } from './render/commit-message.js';
import { nameList } from './render/templates.js';
import { removalLines } from './render/removal.js';

/** Human-readable run output; the CLI prints it, tests read it. */
export function formatWarnings(warnings: InputProblem[]): string[] {
  return warnings.map((w) => `warning: ${formatProblem(w)}`);
}

export { FILE_LIST_LIMIT };

export function formatGenerateResult(r: GenerateResult, opts: { dryRun: boolean }): string[] {
  const lines: string[] = [];
  const envs = nameList(r.environments);
  const pr = r.pullRequest;
  if (r.status === 'up-to-date') {
    // A --pr re-run with nothing new: the open pull request was left as it is.
    if (pr?.action === 'unchanged') lines.push(`${envs}: up to date: pull request #${pr.number} already carries this render (${pr.url})`);
    else lines.push(`${envs}: up to date (${r.repo})`);
    if (pr && pr.action !== 'unchanged') lines.push(`pull request #${pr.number} ${pr.action}: ${pr.url}`);
    return lines;
  }
  const verb = r.status === 'committed' ? 'wrote' : r.status === 'out-of-date' ? 'out of date' : 'would write';
  lines.push(`${envs}: ${verb} ${r.plan.changes.length} file${r.plan.changes.length === 1 ? '' : 's'} in ${r.repo}${opts.dryRun ? ' (dry run: nothing written)' : ''}`);
  // A fleet's first render is thousands of files: past this, per-folder counts only.
  const listFiles = r.plan.changes.length <= FILE_LIST_LIMIT;
  for (const g of r.groups) {
    lines.push(`  ${g.group}: ${g.added.length} added, ${g.changed.length} changed, ${g.deleted.length} removed`);
    if (!listFiles) continue;
    for (const p of g.added) lines.push(`    + ${p}`);
    for (const p of g.changed) lines.push(`    ~ ${p}`);
    for (const p of g.deleted) lines.push(`    - ${p}`);
  }
  if (!listFiles) lines.push(`  (${r.plan.changes.length} files: too many to list; ${r.commit ? '`git show --stat` in the config repo lists them' : '--diff shows every change'})`);
  lines.push(...removalLines(r.plan));
  if (r.diffs.length > 0) lines.push('', ...r.diffs);
  for (const m of r.manual ?? []) lines.push(`  overwrote a manual change: ${m}`);
  if (r.recovered === 'rolled-back') lines.push('  (rolled back an unfinished write left by an interrupted run first)');
  if (r.commit) lines.push(`committed ${r.commit.slice(0, 12)}`);
  const d = r;
  if (d.pushed) lines.push(`pushed ${d.pushed.commit.slice(0, 12)} to ${d.pushed.branch}`);
  if (d.pullRequest) lines.push(`pull request #${d.pullRequest.number} ${d.pullRequest.action}: ${d.pullRequest.url}`);
  return lines;
}

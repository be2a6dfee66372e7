import { packageVersion } from '../paths.js';
import { SourceLayout } from '../repo/layout.js';
import { removedEnvironments, type GroupSummary } from './plan.js';
import { renderTemplate } from './templates.js';

/** Above this many changed files, output and commit messages give per-folder counts only. */
export const FILE_LIST_LIMIT = 300;

/** A promotion being committed (named in the commit message and the pull request). */
export interface PromotionNote {
  from: string;
  sourceCommit?: string;
  settings: { field: string; from: string; to: string }[];
}

export function commitMessage(environments: string[], groups: GroupSummary[], manual: string[] = [], promotion?: PromotionNote): string {
  return renderTemplate('commit-message.hbs', {
    environments,
    groups,
    removed: removedEnvironments(groups),
    // A fleet's first render changes thousands of files: per-folder counts say enough there.
    listFiles: groups.reduce((n, g) => n + g.added.length + g.changed.length + g.deleted.length, 0) <= FILE_LIST_LIMIT,
    manual,
    promotion,
    version: packageVersion,
    sources: environments.map(SourceLayout.envFile),
  });
}

import { packageVersion } from '../paths.js';
import { COMMIT_SUBJECT_PREFIX } from '../repo/commit-marker.js';
import { Layout, SourceLayout } from '../repo/layout.js';
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
  const removed = removedEnvironments(groups);
  return renderTemplate('commit-message.hbs', {
    // The subject's first word: how LocalConfigRepo.manuallyEdited tells gen-gitops's commits from people's.
    marker: COMMIT_SUBJECT_PREFIX,
    environments,
    groups,
    removed,
    removedFolders: removed.map((name) => ({ name, folder: `${Layout.envDir(name)}/` })),
    // A fleet's first render changes thousands of files: per-folder counts say enough there.
    listFiles: groups.reduce((n, g) => n + g.added.length + g.changed.length + g.deleted.length, 0) <= FILE_LIST_LIMIT,
    manual,
    promotion,
    version: packageVersion,
    sources: environments.map(SourceLayout.envFile),
  });
}

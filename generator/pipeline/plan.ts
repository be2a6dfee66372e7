import { planChanges, summarize, type GroupSummary, type Plan } from '../render/plan.js';
import type { RenderResult } from '../render/render.js';
import { staleDirs, staleFolders } from '../repo/stale.js';
import type { ConfigRepoSnapshot } from './snapshot.js';

/** A checked render and what writing it would change in the config repo. */
export interface PlannedRender {
  rendered: RenderResult;
  plan: Plan;
  groups: GroupSummary[];
}

/**
 * The plan stage: compares a render with the config repo working tree at
 * `root`, as `snapshot` holds it (folders the render already read are not
 * read again).
 */
export function planAgainst(root: string, snapshot: ConfigRepoSnapshot, rendered: RenderResult): PlannedRender {
  if (rendered.complete) {
    // Folders of removed environments (and of clusters they leave empty) are owned and rendered empty:
    // the plan deletes their files and the transaction removes the folders, in the render's commit.
    const gone = staleDirs(staleFolders(root, new Set(rendered.complete.environments), rendered.files.keys()));
    if (gone.length > 0) rendered = { ...rendered, ownedDirs: [...new Set([...rendered.ownedDirs, ...gone])].sort() };
  }
  const existing = snapshot.owned(rendered.ownedDirs, rendered.files.keys());
  const plan = planChanges(rendered.files, existing, rendered.ownedDirs);
  return { rendered, plan, groups: summarize(plan) };
}

import { Layout } from '../repo/layout.js';

/** What a render changes in the config repo, file by file. */
export type ChangeKind = 'added' | 'changed' | 'deleted';

export interface FileChange {
  path: string;
  kind: ChangeKind;
  before?: string;
  after?: string;
}

export interface Plan {
  changes: FileChange[];
  unchanged: string[];
}

/**
 * Compares the rendered files with what the config repo holds. `existing`
 * must contain every file under `ownedDirs` plus any rendered path outside
 * them; files under an owned dir that were not rendered are stale.
 */
export function planChanges(rendered: Map<string, string>, existing: Map<string, string>, ownedDirs: string[]): Plan {
  const changes: FileChange[] = [];
  const unchanged: string[] = [];
  for (const [path, after] of rendered) {
    const before = existing.get(path);
    if (before === undefined) changes.push({ path, kind: 'added', after });
    else if (before !== after) changes.push({ path, kind: 'changed', before, after });
    else unchanged.push(path);
  }
  for (const [path, before] of existing) {
    if (!rendered.has(path) && ownedDirs.some((d) => path.startsWith(`${d}/`))) changes.push({ path, kind: 'deleted', before });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, unchanged };
}

export interface GroupSummary {
  group: string;
  added: string[];
  changed: string[];
  deleted: string[];
}

/** Changes per part of the config repo (Layout.groupOf: an environment, a cluster, or shared). */
export function summarize(plan: Plan): GroupSummary[] {
  const groups = new Map<string, GroupSummary>();
  for (const c of plan.changes) {
    const g = Layout.groupOf(c.path);
    const s = groups.get(g) ?? { group: g, added: [], changed: [], deleted: [] };
    s[c.kind].push(c.path);
    groups.set(g, s);
  }
  return [...groups.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** Environments whose folder a plan removes: their parameters file (what ArgoCD's generator reads) goes. */
export function removedEnvironments(groups: GroupSummary[]): string[] {
  return groups.filter((g) => g.deleted.includes(Layout.envParameters(g.group))).map((g) => g.group);
}

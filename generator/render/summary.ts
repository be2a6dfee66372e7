import { parse } from 'yaml';
import { diffStat, unifiedDiff } from './diff.js';
import { Layout } from '../repo/layout.js';
import type { Plan } from './plan.js';
import { removalOf, type Removal } from './removal.js';

/** What a reviewer needs to see about a plan: objects, image changes, diff stats, a bounded diff. */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
  path: string;
}

export interface ImageChange {
  object: string;
  container: string;
  from: string;
  to: string;
}

export interface GroupChanges {
  group: string;
  added: ObjectRef[];
  changed: ObjectRef[];
  removed: ObjectRef[];
  images: ImageChange[];
}

export interface ChangeSummary {
  groups: GroupChanges[];
  stats: { path: string; added: number; removed: number }[];
  totals: { files: number; added: number; removed: number };
  diff: string;
  diffTruncated: boolean;
  diffLimit: number;
  /** Environments and cluster folders the change removes, with what deletes their data on purpose. */
  removal: Removal;
}

/** GitHub rejects bodies over 65,536 characters; leave room for the summary. */
export const DIFF_LIMIT = 40_000;

type Manifest = {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { template?: { spec?: { containers?: { name?: string; image?: string }[]; initContainers?: { name?: string; image?: string }[] } } };
};

function parseManifest(text: string | undefined): Manifest | undefined {
  if (text === undefined) return undefined;
  try {
    const v = parse(text) as Manifest | null;
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

function ref(path: string, m: Manifest | undefined): ObjectRef {
  return { kind: m?.kind ?? 'File', name: m?.metadata?.name ?? path.split('/').pop()!, namespace: m?.metadata?.namespace, path };
}

function images(m: Manifest | undefined): Map<string, string> {
  const spec = m?.spec?.template?.spec;
  const out = new Map<string, string>();
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) if (c.name && c.image) out.set(c.name, c.image);
  return out;
}

export function summarizeChanges(plan: Plan, diffLimit = DIFF_LIMIT): ChangeSummary {
  const groups = new Map<string, GroupChanges>();
  const stats: ChangeSummary['stats'] = [];
  const diffs: string[] = [];
  for (const c of plan.changes) {
    const g = Layout.groupOf(c.path);
    const entry = groups.get(g) ?? { group: g, added: [], changed: [], removed: [], images: [] };
    groups.set(g, entry);
    const before = parseManifest(c.before);
    const after = parseManifest(c.after);
    const isManifest = !c.path.endsWith('kustomization.yaml');
    if (isManifest) {
      if (c.kind === 'added') entry.added.push(ref(c.path, after));
      else if (c.kind === 'deleted') entry.removed.push(ref(c.path, before));
      else entry.changed.push(ref(c.path, after));
    }
    if (c.kind === 'changed') {
      const was = images(before);
      for (const [container, to] of images(after)) {
        const from = was.get(container);
        if (from && from !== to) entry.images.push({ object: `${after?.kind ?? ''}/${after?.metadata?.name ?? ''}`, container, from, to });
      }
    }
    stats.push({ path: c.path, ...diffStat(c) });
    diffs.push(unifiedDiff(c));
  }
  let diff = diffs.join('\n');
  const diffTruncated = diff.length > diffLimit;
  if (diffTruncated) diff = diff.slice(0, diff.lastIndexOf('\n', diffLimit));
  return {
    groups: [...groups.values()],
    stats,
    totals: { files: stats.length, added: stats.reduce((n, s) => n + s.added, 0), removed: stats.reduce((n, s) => n + s.removed, 0) },
    diff,
    diffTruncated,
    diffLimit,
    removal: removalOf(plan),
  };
}

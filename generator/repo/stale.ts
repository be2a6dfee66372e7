import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Layout, SourceLayout } from './layout.js';

/**
 * Folders of the config repo that no environment file produces any more:
 * `envs/<env>/` whose environment file was removed, and
 * `cluster-resources/<cluster>/` when the render gives that cluster nothing
 * (its last environment left). Only directories are listed (one readdir
 * each), never read: the plan reads just the folders that go.
 */
export function staleFolders(root: string, environments: Set<string>, renderedFiles: Iterable<string>): { envs: string[]; clusters: string[] } {
  const clusters = new Set<string>();
  for (const p of renderedFiles) {
    const cluster = Layout.clusterOf(p);
    if (cluster !== undefined) clusters.add(cluster);
  }
  return {
    envs: subfolders(root, Layout.envsDir).filter((e) => !environments.has(e)),
    clusters: subfolders(root, Layout.clustersDir).filter((c) => !clusters.has(c)),
  };
}

/** Folders whose whole content a complete (--all) render removes. */
export function staleDirs(stale: { envs: string[]; clusters: string[] }): string[] {
  return [...stale.envs.map(Layout.envDir), ...stale.clusters.map(Layout.clusterDir)];
}

function subfolders(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * A run for some environments never removes another's folder; it says when
 * one has lost its environment file, because ArgoCD keeps deploying it.
 */
export function orphanWarnings(root: string, environments: string[], everything: boolean): { message: string; hint: string }[] {
  if (everything) return [];
  const known = new Set(environments);
  return subfolders(root, Layout.envsDir)
    .filter((e) => !known.has(e))
    .map((e) => ({
      message: `${Layout.envDir(e)}/ has no environment file (${SourceLayout.envFile(e)}): ArgoCD keeps deploying it from the config repo`,
      hint: `gen-gitops --all removes ${Layout.envDir(e)}/ (ArgoCD then deletes its Application and keeps its resources); a run for other environments leaves it alone`,
    }));
}

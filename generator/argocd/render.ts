/**
 * Everything ArgoCD reads from the config repo: argocd/ (AppProject and
 * ApplicationSets), the per-environment and per-cluster parameter files, and
 * the config repo README. argocd/ and README.md depend on every environment,
 * never on the selection, so any single-environment run writes the same bytes.
 * Pure: the ApplicationSet sources are read by the caller.
 */
import type { KubeObject } from '../charts/environment.js';
import type { EnvironmentSpec } from '../environment/types.js';
import { renderTemplate } from '../render/templates.js';
import { toYaml } from '../render/serialize.js';
import { Layout } from '../repo/layout.js';
import { completeApplicationSet, outputFileName, type ApplicationSetSource, type ConfigRepoRef } from './applicationsets.js';
import { clusterParameters, clusterSharedNamespaces, environmentParameters, parametersFile } from './parameters.js';
import { buildAppProject, DEFAULT_PROJECT } from './project.js';

export interface RenderArgoCDInput {
  /** Every environment (argocd/ and README.md depend on all of them). */
  all: EnvironmentSpec[];
  /** Environments whose parameter files (and clusters' files) are written. */
  selected: string[];
  configRepo: ConfigRepoRef;
  /** AppProject name; default `mlflow`. */
  project?: string;
  /** The ApplicationSet sources (applicationsets/, read at the edge with readApplicationSetSources). */
  applicationSets: ApplicationSetSource[];
  /** Parameter files already built (path → content), e.g. by the environment render; built here otherwise. */
  parameterFiles?: ReadonlyMap<string, string>;
}

export interface RenderArgoCDResult {
  /** Config-repo path → content, sorted by path. */
  files: Map<string, string>;
  /** The Kubernetes objects under argocd/, for schema checks. */
  objects: { path: string; object: Record<string, unknown> }[];
  /** Every path this render writes (= files' keys), sorted. */
  ownedFiles: string[];
  /** Folders this render owns entirely: a file there that was not rendered is stale (an ApplicationSet source removed). */
  ownedDirs: string[];
}

export const PROJECT_FILE = `${Layout.argocdDir}/appproject.yaml`;

/** Application names the shipped ApplicationSets generate (kept in step by tests). */
export const applicationName = {
  environment: (env: string) => `mlflow-${env}`,
  cluster: (cluster: string) => `mlflow-cluster-resources-${cluster}`,
};

const APPLICATIONSET_DESCRIPTIONS: Record<string, string> = {
  'applicationset-cluster-resources.yaml': 'one Application per `cluster-resources/*/argocd.json`, automated without prune',
  'applicationset-environments-automated.yaml': 'one Application per `envs/*/argocd.json` with `"sync": "automated"` (prune, selfHeal)',
  'applicationset-environments-manual.yaml': 'one Application per `envs/*/argocd.json` with `"sync": "manual"`',
};

const byPath = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export function renderArgoCD(input: RenderArgoCDInput): RenderArgoCDResult {
  const project = input.project ?? DEFAULT_PROJECT;
  const all = [...input.all].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const selected = input.selected.map((name) => {
    const spec = all.find((s) => s.name === name);
    if (!spec) throw new Error(`environment '${name}' was not loaded`);
    return spec;
  });
  const files = new Map<string, string>();
  const objects: { path: string; object: KubeObject }[] = [];
  const addObject = (path: string, object: KubeObject) => {
    if (files.has(path)) throw new Error(`two ArgoCD objects render to ${path}`);
    files.set(path, toYaml(object));
    objects.push({ path, object });
  };

  // argocd/: from every environment.
  addObject(PROJECT_FILE, buildAppProject(all, { name: project, repoURL: input.configRepo.url }));
  const sets = input.applicationSets.map((source) => ({
    file: outputFileName(source.file),
    object: completeApplicationSet(source, input.configRepo, project),
  }));
  for (const s of sets) addObject(`${Layout.argocdDir}/${s.file}`, s.object);

  // Parameters: the selected environments and their clusters.
  for (const spec of selected) {
    const path = Layout.envParameters(spec.name);
    files.set(path, input.parameterFiles?.get(path) ?? parametersFile(path, environmentParameters(spec)));
  }
  const clusters = [...new Set(selected.map((s) => s.cluster.name))].sort();
  for (const cluster of clusters) {
    const params = clusterParameters(all, cluster);
    if (!params) continue;
    const path = Layout.clusterParameters(cluster);
    files.set(path, parametersFile(path, params));
  }

  files.set(Layout.readme, renderReadme(all, input.configRepo, project, sets));

  const sorted = new Map([...files].sort(byPath));
  return { files: sorted, objects, ownedFiles: [...sorted.keys()], ownedDirs: [Layout.argocdDir] };
}

function renderReadme(all: EnvironmentSpec[], repo: ConfigRepoRef, project: string, sets: { file: string; object: KubeObject }[]): string {
  const clusterNames = [...new Set(all.map((s) => s.cluster.name))].sort();
  return renderTemplate('config-readme.md.hbs', {
    repoURL: repo.url,
    revision: repo.revision,
    project,
    applicationSets: sets.map((s) => ({
      file: s.file,
      name: s.object.metadata.name,
      description: APPLICATIONSET_DESCRIPTIONS[s.file] ?? 'see the file',
    })),
    environments: all.map((s) => ({
      name: s.name,
      namespace: s.namespace,
      cluster: s.cluster.name,
      nodePort: s.mlflow.nodePort,
      syncText: s.sync === 'automated' ? 'automated (prune, selfHeal)' : 'manual',
      application: applicationName.environment(s.name),
    })),
    clusters: clusterNames
      .map((name) => ({ name, namespaces: clusterSharedNamespaces(all, name), application: applicationName.cluster(name) }))
      .filter((c) => c.namespaces.length > 0),
  });
}

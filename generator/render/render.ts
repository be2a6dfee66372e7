import { synthClusterResources, synthEnvironment, type KubeObject } from '../charts/environment.js';
import { environmentSpec } from '../environment/spec.js';
import type { EnvironmentSpec } from '../environment/types.js';
import type { ValidEnvironment } from '../environment/validate.js';
import { Layout } from '../repo/layout.js';
import type { CredentialSource } from '../secrets/credentials.js';
import type { SecretEnvironment } from '../secrets/provider.js';
import { manifestFolder } from './serialize.js';
import { renderArgoCD } from '../argocd/render.js';
import { environmentParameters, parametersFile } from '../argocd/parameters.js';
import type { ApplicationSetSource } from '../argocd/applicationsets.js';

/** One object and the config-repo file it is written to. */
export interface RenderedObject {
  path: string;
  object: KubeObject;
}

/** One folder of the config repo as a render fills it. */
export interface RenderedFolder {
  dir: string;
  /** Path → content of the files directly in it. */
  files: Map<string, string>;
  objects: RenderedObject[];
  /** An environment folder's parameters file for ArgoCD (path, content), when ArgoCD objects are rendered. */
  parameters?: [string, string];
}

export interface RenderResult {
  /** Config-repo path → file content, sorted by path. */
  files: Map<string, string>;
  /** Folders this render owns entirely: files in them that were not rendered are stale. */
  ownedDirs: string[];
  /** Every Kubernetes object, for schema checks and plans. */
  objects: RenderedObject[];
  specs: EnvironmentSpec[];
  /** The manifests folders rendered (environments and clusters; not reused ones), by path. */
  folders: Map<string, RenderedFolder>;
  /** Environments whose folder was taken as it is (see `reuse`): not synthesised, so not in `objects`. */
  reused: string[];
  /**
   * Set when the run renders every environment (--all): the config repo then
   * holds nothing else under envs/ and cluster-resources/, so folders of
   * environments whose files were removed (and of clusters left without
   * one) go. Never set for a selection, which must not touch other folders.
   */
  complete?: { environments: string[] };
}

export interface RenderOptions {
  /** Every valid environment (cluster-shared folders depend on all of them). */
  all: ValidEnvironment[];
  /** `all`, resolved (in the same order); resolved here when not given. */
  specs?: EnvironmentSpec[];
  /** Names to render. */
  selected: string[];
  credentials: CredentialSource;
  /** Per environment: what secret providers may know about the world. */
  secrets: (env: string) => SecretEnvironment;
  /** ArgoCD objects, parameter files and the config repo README; omitted: manifests only. */
  argocd?: { configRepo: { url: string; revision: string }; applicationSets: ApplicationSetSource[] };
  /**
   * An environment's current folder files (path → content) when rendering it
   * again is known to reproduce them exactly; undefined: render it.
   */
  reuse?: (spec: EnvironmentSpec, dir: string) => Map<string, string> | undefined;
  /** Called with each environment folder as soon as it is rendered (before any check: may be discarded). */
  onFolder?: (folder: RenderedFolder) => void;
}

/**
 * Pure: environment files in, config-repo files out. No I/O, no clock, no
 * randomness except through `credentials` (built at the edge).
 */
export function render(opts: RenderOptions): RenderResult {
  const allSpecs = opts.specs ?? opts.all.map(environmentSpec);
  const specs = opts.selected.map((name) => {
    const spec = allSpecs.find((s) => s.name === name);
    if (!spec) throw new Error(`environment '${name}' was not loaded`);
    return spec;
  });
  const files = new Map<string, string>();
  const objects: RenderedObject[] = [];
  const ownedDirs: string[] = [];
  const folders = new Map<string, RenderedFolder>();
  const parameterFiles = new Map<string, string>();
  const addFolder = (dir: string, objs: KubeObject[], parameters?: [string, string]) => {
    const folder: RenderedFolder = { dir, ...manifestFolder(dir, objs), parameters };
    for (const [p, c] of folder.files) files.set(p, c);
    objects.push(...folder.objects);
    ownedDirs.push(dir);
    folders.set(dir, folder);
    return folder;
  };

  const reused: string[] = [];
  for (const spec of specs) {
    const dir = Layout.envManifests(spec.name);
    const kept = opts.reuse?.(spec, dir);
    if (kept) {
      for (const [p, c] of kept) files.set(p, c);
      ownedDirs.push(dir);
      reused.push(spec.name);
      continue;
    }
    // Its parameters file travels with the folder (a new environment's folder is staged whole) and
    // is the one renderArgoCD writes.
    const paramsPath = Layout.envParameters(spec.name);
    const parameters: [string, string] | undefined = opts.argocd ? [paramsPath, parametersFile(paramsPath, environmentParameters(spec))] : undefined;
    if (parameters) parameterFiles.set(...parameters);
    const folder = addFolder(dir, synthEnvironment(spec, opts.credentials, opts.secrets(spec.name)), parameters);
    opts.onFolder?.(folder);
  }
  // Each cluster an environment runs on gets its shared folder, computed
  // from every environment on that cluster so any single render agrees.
  const clusters = [...new Set(specs.map((s) => s.cluster.name))].sort();
  for (const cluster of clusters) {
    const objs = synthClusterResources(allSpecs.filter((s) => s.cluster.name === cluster));
    if (objs.length > 0) addFolder(Layout.clusterManifests(cluster), objs);
  }
  if (opts.argocd) {
    const argo = renderArgoCD({ all: allSpecs, selected: opts.selected, configRepo: opts.argocd.configRepo, applicationSets: opts.argocd.applicationSets, parameterFiles });
    for (const [p, c] of argo.files) files.set(p, c);
    objects.push(...argo.objects.map((o) => ({ path: o.path, object: o.object as KubeObject })));
    ownedDirs.push(...argo.ownedDirs);
  }
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), ownedDirs: ownedDirs.sort(), objects, specs, folders, reused };
}

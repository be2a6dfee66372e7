/**
 * What ArgoCD's application controller reports for a created Application
 * (argoproj/argo-cd 37ee0097cf851bc2dd7665fc081bbce61a7e836e): util/argo
 * ValidatePermissions (source repo and destination permitted by the
 * AppProject) and, at sync, every rendered object's kind and namespace
 * (IsResourcePermitted), read from the folder the Application points at.
 */
import { parse, parseAllDocuments } from 'yaml';
import { asArray, isRecord, type Generated, type Json } from './preview-common.js';
import { isDestinationPermitted, isSourcePermitted, normalizeGitURL, projectViolations, type ProjectSpec } from './project.js';
import { goPathClean } from './upstream/go-path.js';

export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

export function safeNormalize(url: string): string | undefined {
  try {
    return normalizeGitURL(url);
  } catch {
    return undefined;
  }
}

export interface AppCheckContext {
  projects: Map<string, { file: string; spec: ProjectSpec }>;
  files: ReadonlyMap<string, string>;
  repoKey?: string;
  revision?: string;
  warnings: string[];
  clusterWarned: Set<string>;
}

/** What the application controller reports for a created Application (InvalidSpecError, ComparisonError, sync refusals). */
export function applicationErrors(g: Generated, ctx: AppCheckContext): string[] {
  const meta = g.app.metadata as Json;
  const spec = g.app.spec as Json;
  const label = `Application ${String(meta.name)} (ApplicationSet ${g.origin.applicationSet}, from ${g.origin.parameters})`;
  const projectName = String(spec.project ?? '');
  const project = ctx.projects.get(projectName)!.spec;
  const source = isRecord(spec.source) ? spec.source : {};
  const repoURL = String(source.repoURL ?? '');
  const path = String(source.path ?? '');
  const dest = isRecord(spec.destination) ? spec.destination : {};
  const server = String(dest.server ?? '').replace(/\/+$/, '');
  const namespace = String(dest.namespace ?? '');
  const out: string[] = [];
  const refuse = (e: unknown) => out.push(`${label} cannot be previewed exactly: ${(e as Error).message}`);

  if (repoURL === '' || path === '') return [`${label}: spec.source.repoURL and either spec.source.path or spec.source.chart are required`];
  try {
    if (!isSourcePermitted(project, repoURL)) out.push(`${label}: application repo ${repoURL} is not permitted in project '${projectName}'`);
  } catch (e) {
    refuse(e);
  }
  let destinationOk = false;
  try {
    destinationOk = isDestinationPermitted(project, { server, namespace });
    if (!destinationOk) {
      out.push(`${label}: application destination server '${server}' and namespace '${namespace}' do not match any of the allowed destinations in project '${projectName}'`);
    }
  } catch (e) {
    refuse(e);
  }
  if (server !== IN_CLUSTER_SERVER && !ctx.clusterWarned.has(server)) {
    ctx.clusterWarned.add(server);
    ctx.warnings.push(`destination server ${server} must be registered in ArgoCD (argocd cluster add); the preview cannot check that`);
  }

  // The manifests: only when the source is this tree (same repo and revision).
  if (ctx.repoKey === undefined || safeNormalize(repoURL) !== ctx.repoKey || String(source.targetRevision ?? '') !== (ctx.revision ?? '')) {
    ctx.warnings.push(`${label}: source ${repoURL}@${String(source.targetRevision ?? '')} is not the evaluated tree; its path is not checked`);
    return out;
  }
  if (path.startsWith('/') || goPathClean(path).split('/').includes('..')) return [...out, `${label}: app path ${path} must be relative and inside the repository`];
  const dir = goPathClean(path);
  const inDir = [...ctx.files.keys()].filter((f) => dir === '.' || f.startsWith(`${dir}/`));
  if (inDir.length === 0) return [...out, `${label}: app path does not exist: ${path}`];
  if (destinationOk) {
    const objects = manifestObjects(dir, ctx.files, (m) => out.push(`${label}: ${m}`));
    try {
      for (const v of projectViolations(project, { server, namespace }, objects)) out.push(`${label}: resource ${v} (in project '${projectName}')`);
    } catch (e) {
      refuse(e);
    }
  }
  return out;
}

/**
 * The objects ArgoCD renders from a folder: a kustomization.yaml listing files
 * of the folder (what gen-gitops writes), or plain YAML/JSON files (directory
 * source, not recursive). Other kustomizations are refused.
 */
function manifestObjects(dir: string, files: ReadonlyMap<string, string>, report: (m: string) => void): { path: string; object: Json }[] {
  const prefix = dir === '.' ? '' : `${dir}/`;
  const kustomization = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => `${prefix}${f}`).find((f) => files.has(f));
  let paths: string[];
  if (kustomization) {
    let k: unknown;
    try {
      k = parse(files.get(kustomization) ?? '', { version: '1.1' });
    } catch (e) {
      report(`${kustomization} is not valid YAML: ${(e as Error).message}`);
      return [];
    }
    const keys = isRecord(k) ? Object.keys(k).filter((x) => x !== 'apiVersion' && x !== 'kind') : [];
    const resources = isRecord(k) ? asArray(k.resources).map(String) : [];
    if (keys.some((x) => x !== 'resources') || resources.some((r) => r.includes('/') || !files.has(`${prefix}${r}`))) {
      report(`${kustomization} does more than list files of its folder: the preview does not run kustomize, so the objects' kinds and namespaces are not checked`);
      return [];
    }
    paths = resources.map((r) => `${prefix}${r}`);
  } else {
    paths = [...files.keys()].filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/') && /\.(ya?ml|json)$/.test(f));
  }
  const out: { path: string; object: Json }[] = [];
  for (const p of paths) {
    for (const doc of parseAllDocuments(files.get(p) ?? '', { version: '1.1' })) {
      if (doc.errors.length > 0) {
        report(`${p} is not valid YAML: ${doc.errors[0]!.message}`);
        continue;
      }
      const o = doc.toJS() as unknown;
      if (isRecord(o)) out.push({ path: p, object: o });
    }
  }
  return out;
}

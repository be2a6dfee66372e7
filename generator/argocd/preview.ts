/**
 * Offline preview of the Applications ArgoCD generates from the config repo:
 * the ApplicationSets and AppProjects under argocd/, evaluated over the
 * repository's working tree (so it works before commit) with ArgoCD's own
 * semantics (argoproj/argo-cd 37ee0097cf851bc2dd7665fc081bbce61a7e836e):
 *
 * - applicationset/controllers/template/template.go GenerateApplications and
 *   generators/generator_spec_processor.go Transform: per generator, params,
 *   selector (on the flattened params), template rendering; any error in an
 *   ApplicationSet means none of its Applications are created or updated;
 * - utils/utils.go RenderTemplateParams: fasttemplate (unknown tags kept) or
 *   the goTemplate subset of fasttemplate.ts, and the resources-finalizer
 *   added unless syncPolicy.preserveResourcesOnDeletion;
 * - controllers/applicationset_controller.go validateGeneratedApplications:
 *   empty and duplicate names, missing project, invalid destination — every
 *   Application sharing a failing name is left out;
 * - util/argo ValidatePermissions (application controller): source repo and
 *   destination permitted by the AppProject; at sync, every object's kind and
 *   namespace permitted (IsResourcePermitted).
 *
 * What it cannot evaluate exactly (other generators, templatePatch,
 * progressive syncs, generator-level templates, multiple sources, Go
 * template features outside the supported subset, cluster names) is refused
 * with an error naming the construct: never guessed.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../render/serialize.js';
import type { KubeObject } from '../charts/environment.js';
import { Layout } from '../repo/layout.js';
import { directoriesGeneratorParams, filesGeneratorParams, repoDirectories, type GeneratorParams, type GitPathPattern } from './git-generator.js';
import { applicationErrors, safeNormalize } from './preview-checks.js';
import { ARGO_API, asArray, cmp, isRecord, Refused, type Generated, type Json, type PreviewOrigin } from './preview-common.js';
import { checkTemplateFields, normalizeSpec, renderApplication } from './preview-render.js';
import { normalizeGitURL, type ProjectSpec } from './project.js';
import { flattenParameters, labelSelector, type LabelSelector } from './selector.js';

// Split by idea into preview-common.ts, preview-render.ts and
// preview-checks.ts; what callers imported from here still comes from here.
export { IN_CLUSTER_SERVER } from './preview-checks.js';
export type { PreviewOrigin } from './preview-common.js';

export interface PreviewInput {
  /** Config repo working tree; read with fs. */
  repoRoot: string;
  /** Only the Application generated from envs/<env>/argocd.json. */
  env?: string;
  /** applicationsetcontroller.enable.new.git.file.globbing; ArgoCD's default (false) is `git ls-files` globbing. */
  newGlobbing?: boolean;
  /** Namespace the ApplicationSets and AppProjects are applied to (`kubectl apply -n`); default argocd. */
  namespace?: string;
}

export interface PreviewResult {
  /** Applications ArgoCD would create, sorted by name. */
  applications: Record<string, unknown>[];
  /** Where each Application (same index) comes from. */
  origins: PreviewOrigin[];
  /** What ArgoCD would reject or report, and constructs the preview refuses to guess. Empty when all is well. */
  errors: string[];
  /** Things the preview cannot check offline (e.g. that a cluster is registered). */
  warnings: string[];
}

/** Every regular file of the working tree (not .git/), repo-relative with "/", sorted. */
export function readWorkingTree(root: string): { files: Map<string, string>; skipped: string[] } {
  const files = new Map<string, string>();
  const skipped: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => cmp(a.name, b.name))) {
      if (entry.name === '.git') continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full, path);
      else if (entry.isFile()) files.set(path, readFileSync(full, 'utf8'));
      else skipped.push(path);
    }
  };
  walk(root, '');
  return { files: new Map([...files].sort(([a], [b]) => cmp(a, b))), skipped };
}

/** Reads the working tree and evaluates it; see previewTree. */
export function previewApplications(input: PreviewInput): PreviewResult {
  const root = resolve(input.repoRoot);
  if (!existsSync(root) || !lstatSync(root).isDirectory()) {
    return {
      applications: [],
      origins: [],
      errors: [`no config repo at ${root}: render one with gen-gitops first (e.g. gen-gitops --all --repo ${input.repoRoot})`],
      warnings: [],
    };
  }
  const { files, skipped } = readWorkingTree(root);
  const result = previewTree({ files, env: input.env, newGlobbing: input.newGlobbing, namespace: input.namespace });
  for (const s of skipped) result.warnings.push(`${s}: not a regular file; not seen by the preview`);
  return result;
}

export interface PreviewTreeInput {
  /** Repo-relative path → content: every file of the tree. */
  files: ReadonlyMap<string, string>;
  env?: string;
  newGlobbing?: boolean;
  namespace?: string;
}

interface ApplicationSetDoc {
  file: string;
  name: string;
  namespace: string;
  object: Json;
}

/** Pure core of the preview: a tree in, Applications and errors out. */
export function previewTree(input: PreviewTreeInput): PreviewResult {
  const namespace = input.namespace ?? 'argocd';
  const errors: string[] = [];
  const warnings: string[] = [];
  const repoFiles: Record<string, string> = Object.fromEntries(input.files);

  const argocdFiles = [...input.files.keys()].filter((p) => /^argocd\/[^/]+\.(ya?ml|json)$/.test(p)).sort(cmp);
  if (argocdFiles.length === 0) {
    return { applications: [], origins: [], errors: [`no ArgoCD objects: the tree has no ${Layout.argocdDir}/*.yaml (render it with gen-gitops first)`], warnings };
  }

  // 1. What `kubectl apply -n <namespace> -f argocd/` creates.
  const projects = new Map<string, { file: string; spec: ProjectSpec }>();
  const sets: ApplicationSetDoc[] = [];
  for (const file of argocdFiles) {
    const docs = parseAllDocuments(input.files.get(file) ?? '', { version: '1.1' });
    if (!Array.isArray(docs)) continue;
    docs.forEach((doc, i) => {
      const where = docs.length > 1 ? `${file} (document ${i + 1})` : file;
      if (doc.errors.length > 0) {
        errors.push(`${where}: not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
        return;
      }
      const obj = doc.toJS() as unknown;
      if (obj === null || obj === undefined) return;
      if (!isRecord(obj)) return void errors.push(`${where}: not a Kubernetes object`);
      const meta = isRecord(obj.metadata) ? obj.metadata : {};
      const name = typeof meta.name === 'string' ? meta.name : '';
      const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : namespace;
      if (obj.apiVersion === ARGO_API && obj.kind === 'AppProject') {
        if (ns !== namespace) return void warnings.push(`${where}: AppProject ${name} is in namespace ${ns}, not ${namespace}: ArgoCD does not see it`);
        if (projects.has(name)) return void errors.push(`${where}: AppProject ${name} is also defined in ${projects.get(name)!.file}`);
        projects.set(name, { file, spec: (isRecord(obj.spec) ? obj.spec : {}) as ProjectSpec });
      } else if (obj.apiVersion === ARGO_API && obj.kind === 'ApplicationSet') {
        const other = sets.find((s) => s.name === name && s.namespace === ns);
        if (other) return void errors.push(`${where}: ApplicationSet ${name} is also defined in ${other.file}`);
        sets.push({ file, name, namespace: ns, object: obj });
      } else {
        warnings.push(`${where}: ${String(obj.apiVersion)} ${String(obj.kind)} ${name} is applied with argocd/ but not evaluated by the preview`);
      }
    });
  }
  if (sets.length === 0) errors.push(`no ApplicationSet in ${Layout.argocdDir}/: nothing generates Applications`);

  // The working tree stands for the one repository/revision the git generators read.
  const repos = new Map<string, { url: string; revision: string }>();
  for (const s of sets) {
    for (const g of asArray(isRecord(s.object.spec) ? s.object.spec.generators : undefined)) {
      if (isRecord(g) && isRecord(g.git)) {
        const url = String(g.git.repoURL ?? '');
        let key: string;
        try {
          key = normalizeGitURL(url);
        } catch (e) {
          errors.push(`${s.file}: ${(e as Error).message}`);
          continue;
        }
        repos.set(`${key}@${String(g.git.revision ?? '')}`, { url, revision: String(g.git.revision ?? '') });
      }
    }
  }
  if (repos.size > 1) {
    errors.push(`the git generators read ${[...repos.values()].map((r) => `${r.url}@${r.revision}`).join(', ')}: the preview evaluates one repository (this working tree) only`);
  }
  const treeRepo = repos.size === 1 ? [...repos.values()][0]! : undefined;
  if (treeRepo) warnings.push(`the working tree is evaluated as ${treeRepo.url} at revision ${treeRepo.revision || '(HEAD)'}: commit and push it before ArgoCD sees the same`);

  // 2. Each ApplicationSet on its own, as the ApplicationSet controller reconciles it.
  const valid: Generated[] = [];
  const ctx: SetContext = { files: repoFiles, projects, newGlobbing: input.newGlobbing ?? false, warnings };
  for (const set of sets) {
    const r = evaluateApplicationSet(set, ctx);
    errors.push(...r.errors);
    valid.push(...r.valid);
  }

  // Two ApplicationSets generating the same Application fight over it: the
  // second is refused as "owned by another controller" (which one wins depends on timing).
  const byName = new Map<string, Generated[]>();
  for (const g of valid) {
    const key = `${String((g.app.metadata as Json).namespace)}/${String((g.app.metadata as Json).name)}`;
    byName.set(key, [...(byName.get(key) ?? []), g]);
  }
  const created: Generated[] = [];
  for (const [key, list] of byName) {
    const owners = [...new Set(list.map((g) => g.origin.applicationSet))];
    if (owners.length > 1) {
      errors.push(
        `Application ${key.split('/')[1]} is generated by ApplicationSets ${owners.join(' and ')}: only one can own it (the other reports it as already owned by another ApplicationSet)`,
      );
    } else created.push(...list);
  }

  // 3. What the application controller checks on each created Application.
  const repoKey = treeRepo ? safeNormalize(treeRepo.url) : undefined;
  const clusterWarned = new Set<string>();
  for (const g of created) errors.push(...applicationErrors(g, { projects, files: input.files, repoKey, revision: treeRepo?.revision, warnings, clusterWarned }));

  let chosen = created.sort((a, b) => cmp(String((a.app.metadata as Json).name), String((b.app.metadata as Json).name)));
  if (input.env !== undefined) {
    const dir = Layout.envDir(input.env);
    chosen = chosen.filter((g) => g.origin.parameters === Layout.envParameters(input.env!) || g.origin.parameters === dir);
    if (chosen.length === 0) {
      errors.push(
        input.files.has(Layout.envParameters(input.env))
          ? `no Application is generated from ${Layout.envParameters(input.env)}`
          : `environment '${input.env}' has no ${Layout.envParameters(input.env)} in the config repo: render it first (gen-gitops --env ${input.env})`,
      );
    }
  }
  return { applications: chosen.map((g) => g.app), origins: chosen.map((g) => g.origin), errors, warnings };
}

interface SetContext {
  files: Record<string, string>;
  projects: Map<string, { file: string; spec: ProjectSpec }>;
  newGlobbing: boolean;
  warnings: string[];
}

const SPEC_KEYS = new Set(['goTemplate', 'goTemplateOptions', 'generators', 'template', 'syncPolicy', 'preservedFields', 'ignoreApplicationDifferences', 'applyNestedSelectors']);
const REFUSED_SPEC_KEYS: Record<string, string> = {
  templatePatch: 'templatePatch (a Go-templated patch applied after rendering) is not evaluated by the preview',
  strategy: 'strategy (progressive syncs change when and how Applications sync) is not evaluated by the preview',
};
const GENERATOR_KINDS = ['list', 'clusters', 'git', 'scmProvider', 'clusterDecisionResource', 'pullRequest', 'matrix', 'merge', 'plugin'];
const GIT_KEYS = new Set(['repoURL', 'revision', 'files', 'directories', 'requeueAfterSeconds', 'template', 'pathParamPrefix', 'values']);

/** One ApplicationSet, as its reconcile would go: generation, then validation. */
function evaluateApplicationSet(set: ApplicationSetDoc, ctx: SetContext): { valid: Generated[]; errors: string[] } {
  const label = `ApplicationSet ${set.name} (${set.file})`;
  let generated: Generated[];
  try {
    generated = generateApplications(set, ctx);
  } catch (e) {
    const reason =
      e instanceof Refused ? `cannot be previewed exactly: ${e.message}` : `fails to generate Applications (ArgoCD creates or updates none of them): ${(e as Error).message}`;
    return { valid: [], errors: [`${label} ${reason}`] };
  }

  // validateGeneratedApplications: errors keyed by qualified name.
  const errorsByApp = new Map<string, string>();
  const names = new Set<string>();
  const qualified = (g: Generated) => `${String((g.app.metadata as Json).namespace)}/${String((g.app.metadata as Json).name)}`;
  for (const g of generated) {
    const meta = g.app.metadata as Json;
    const spec = g.app.spec as Json;
    const name = String(meta.name ?? '');
    if (name === '') {
      errorsByApp.set(
        qualified(g),
        `ApplicationSet ${set.name} contains an application with no name; a name must be set in the template's metadata.name or via a templatePatch (generateName is not supported) (from ${g.origin.parameters})`,
      );
      continue;
    }
    if (names.has(name)) {
      errorsByApp.set(qualified(g), `ApplicationSet ${set.name} contains applications with duplicate name: ${name} (from ${g.origin.parameters} and an earlier parameter set)`);
      continue;
    }
    names.add(name);
    const project = String(spec.project ?? '');
    if (!ctx.projects.has(project)) {
      errorsByApp.set(qualified(g), `application references project ${project} which does not exist`);
      continue;
    }
    try {
      const destError = destinationSpecError(isRecord(spec.destination) ? spec.destination : {});
      if (destError) errorsByApp.set(qualified(g), `application destination spec is invalid: ${destError}`);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      errorsByApp.set(qualified(g), `cannot be previewed exactly: ${e.message}`);
    }
  }
  const errors = [...errorsByApp.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([key, message]) => `${label}: Application ${key.split('/')[1] || '(no name)'} is not created: ${message}`);
  return { valid: generated.filter((g) => !errorsByApp.has(qualified(g))), errors };
}

/** util/argo GetDestinationServer's own errors; a cluster name cannot be resolved offline. */
function destinationSpecError(dest: Json): string | undefined {
  const server = String(dest.server ?? '');
  const name = String(dest.name ?? '');
  if (name !== '' && server !== '') return `application destination can't have both name and server defined: ${name} ${server}`;
  if (server === '' && name === '') return 'Destination server missing from app spec';
  if (server === '') throw new Refused(`destination name ${JSON.stringify(name)}: resolving a cluster by name needs ArgoCD's cluster registry; use destination.server`);
  return undefined;
}

/** GenerateApplications for one ApplicationSet; throws on its first error. */
function generateApplications(set: ApplicationSetDoc, ctx: SetContext): Generated[] {
  const spec = set.object.spec;
  if (!isRecord(spec)) throw new Error('spec is missing');
  for (const key of Object.keys(spec)) {
    if (REFUSED_SPEC_KEYS[key]) throw new Refused(REFUSED_SPEC_KEYS[key]);
    if (!SPEC_KEYS.has(key)) throw new Refused(`spec.${key} is not a field the preview knows`);
  }
  const goTemplate = spec.goTemplate === true;
  const goOptions = asArray(spec.goTemplateOptions).map(String);
  const syncPolicy = isRecord(spec.syncPolicy) ? spec.syncPolicy : undefined;
  const preserve = syncPolicy?.preserveResourcesOnDeletion === true;
  const template = spec.template;
  if (!isRecord(template)) throw new Error('spec.template is missing');
  checkTemplateFields(template);

  const out: Generated[] = [];
  asArray(spec.generators).forEach((gen, index) => {
    const where = `spec.generators[${index}]`;
    if (!isRecord(gen)) throw new Error(`${where} is not an object`);
    const kinds = Object.keys(gen).filter((k) => k !== 'selector' && gen[k] !== null && gen[k] !== undefined);
    const unknown = kinds.filter((k) => !GENERATOR_KINDS.includes(k));
    if (unknown.length > 0) throw new Refused(`${where}.${unknown[0]} is not a generator the preview knows`);
    const other = kinds.filter((k) => k !== 'git');
    if (other.length > 0) throw new Refused(`${where}: the ${other.join(', ')} generator is not evaluated by the preview (only git files and directories)`);
    if (kinds.length === 0) throw new Error('generator is empty');
    const git = gen.git as Json;
    for (const key of Object.keys(git)) if (!GIT_KEYS.has(key)) throw new Refused(`${where}.git.${key} is not a field the preview knows`);
    if (git.template !== undefined && !deepEmpty(git.template)) {
      throw new Refused(`${where}.git.template (a generator-level template merged into spec.template with mergo) is not evaluated by the preview`);
    }

    // GitGenerator.GenerateParams: the project is read first (unless templated).
    const project = String(isRecord(template.spec) ? (template.spec.project ?? '') : '');
    if (!project.includes('{{') && !ctx.projects.has(project)) {
      throw new Error(`error getting project ${project}: appprojects.argoproj.io "${project}" not found`);
    }
    const common = {
      goTemplate,
      goTemplateOptions: goOptions,
      pathParamPrefix: String(git.pathParamPrefix ?? ''),
      values: Object.fromEntries(Object.entries(isRecord(git.values) ? git.values : {}).map(([k, v]) => [k, String(v)])),
      repoURL: String(git.repoURL ?? ''),
      revision: String(git.revision ?? ''),
    };
    const directories = patterns(git.directories);
    const files = patterns(git.files);
    let params: GeneratorParams[];
    let fromDirectories = false;
    try {
      if (directories.length > 0) {
        fromDirectories = true;
        params = directoriesGeneratorParams({ ...common, patterns: directories, repoDirs: repoDirectories(Object.keys(ctx.files)) });
      } else if (files.length > 0) {
        params = filesGeneratorParams({ ...common, patterns: files, repoFiles: ctx.files, newGlobbing: ctx.newGlobbing });
      } else throw new Error('generator is empty');
    } catch (e) {
      if (/unsupported Go template construct/.test((e as Error).message)) throw new Refused((e as Error).message);
      throw e;
    }

    // Transform: the selector filters on the flattened parameters.
    if (gen.selector !== undefined && gen.selector !== null) {
      const matches = labelSelector(gen.selector as LabelSelector);
      params = params.filter((p) => matches(flattenParameters(p)));
    }

    for (const p of params) {
      const app = renderApplication(template, p, goTemplate, goOptions, preserve);
      (app.metadata as Json).namespace = set.namespace;
      normalizeSpec(app.spec as Json);
      out.push({
        app,
        origin: {
          application: String((app.metadata as Json).name ?? ''),
          applicationSet: set.name,
          file: set.file,
          parameters: originOf(p, common.pathParamPrefix, goTemplate, fromDirectories),
        },
      });
    }
  });
  return out;
}

function patterns(v: unknown): GitPathPattern[] {
  return asArray(v)
    .filter(isRecord)
    .map((p) => ({ path: String(p.path ?? ''), exclude: p.exclude === true }));
}

function deepEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isRecord(v)) return Object.values(v).every(deepEmpty);
  return false;
}

/** The parameters file (or directory) a parameter set comes from. */
function originOf(p: GeneratorParams, prefix: string, goTemplate: boolean, directory: boolean): string {
  let dir: unknown;
  let filename: unknown;
  if (goTemplate) {
    const holder = prefix !== '' ? (p[prefix] as Json | undefined)?.path : p.path;
    dir = isRecord(holder) ? holder.path : undefined;
    filename = isRecord(holder) ? holder.filename : undefined;
  } else {
    const name = prefix !== '' ? `${prefix}.path` : 'path';
    dir = p[name];
    filename = p[`${name}.filename`];
  }
  if (typeof dir !== 'string') return '(unknown)';
  if (directory || typeof filename !== 'string') return dir;
  return dir === '.' ? filename : `${dir}/${filename}`;
}

/** Applications as YAML documents (`---` between them) or a JSON array; trailing newline. */
export function formatPreview(apps: Record<string, unknown>[], output: 'yaml' | 'json'): string {
  if (output === 'json') return `${JSON.stringify(apps, null, 2)}\n`;
  return apps.map((a) => toYaml(a as KubeObject)).join('---\n');
}

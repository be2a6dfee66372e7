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
import { parse, parseAllDocuments } from 'yaml';
import { toYaml } from '../render/serialize.js';
import type { KubeObject } from '../charts/environment.js';
import { Layout } from '../repo/layout.js';
import { renderReplace, renderTemplateObject, setOwn, type TemplateParams } from './fasttemplate.js';
import { directoriesGeneratorParams, filesGeneratorParams, goPathClean, repoDirectories, type GeneratorParams, type GitPathPattern } from './git-generator.js';
import { isDestinationPermitted, isSourcePermitted, normalizeGitURL, projectViolations, type ProjectSpec } from './project.js';
import { flattenParameters, labelSelector, type LabelSelector } from './selector.js';

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

export interface PreviewOrigin {
  application: string;
  applicationSet: string;
  /** argocd/ file holding the ApplicationSet. */
  file: string;
  /** The parameters file (files generator) or directory (directories generator) the Application comes from. */
  parameters: string;
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

export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
const ARGO_API = 'argoproj.io/v1alpha1';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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
    return { applications: [], origins: [], errors: [`no config repo at ${root}: render one with gen-gitops first (e.g. gen-gitops --all --repo ${input.repoRoot})`], warnings: [] };
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

interface Generated {
  app: Json;
  origin: PreviewOrigin;
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
      errors.push(`Application ${key.split('/')[1]} is generated by ApplicationSets ${owners.join(' and ')}: only one can own it (the other reports it as already owned by another ApplicationSet)`);
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

class Refused extends Error {}

/** One ApplicationSet, as its reconcile would go: generation, then validation. */
function evaluateApplicationSet(set: ApplicationSetDoc, ctx: SetContext): { valid: Generated[]; errors: string[] } {
  const label = `ApplicationSet ${set.name} (${set.file})`;
  let generated: Generated[];
  try {
    generated = generateApplications(set, ctx);
  } catch (e) {
    const reason = e instanceof Refused ? `cannot be previewed exactly: ${e.message}` : `fails to generate Applications (ArgoCD creates or updates none of them): ${(e as Error).message}`;
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
      errorsByApp.set(qualified(g), `ApplicationSet ${set.name} contains an application with no name; a name must be set in the template's metadata.name or via a templatePatch (generateName is not supported) (from ${g.origin.parameters})`);
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
  const errors = [...errorsByApp.entries()].sort(([a], [b]) => cmp(a, b)).map(([key, message]) => `${label}: Application ${key.split('/')[1] || '(no name)'} is not created: ${message}`);
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

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
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

/** GetTempApplication + RenderTemplateParams (+ the finalizer rule). */
function renderApplication(template: Json, params: GeneratorParams, goTemplate: boolean, options: string[], preserve: boolean): Json {
  const meta = isRecord(template.metadata) ? template.metadata : {};
  const tmpl: Json = {
    metadata: pick(meta, ['name', 'namespace', 'labels', 'annotations', 'finalizers']),
    spec: isRecord(template.spec) ? template.spec : {},
  };
  if (Object.keys(params).length === 0) return finish(structuredClone(tmpl)); // Go returns the template itself, without the finalizer
  const rendered = goTemplate ? (renderGo(tmpl, params, options) as Json) : renderTemplateObject(structuredClone(tmpl), params as TemplateParams);
  const m = rendered.metadata as Json;
  if (!preserve && asArray(m.finalizers).length === 0) m.finalizers = [RESOURCES_FINALIZER];
  return finish(rendered);
}

function finish(app: Json): Json {
  const m = app.metadata as Json;
  const metadata: Json = { name: m.name ?? '' };
  metadata.namespace = m.namespace;
  for (const k of ['labels', 'annotations']) if (isRecord(m[k]) && Object.keys(m[k]).length > 0) metadata[k] = m[k];
  if (asArray(m.finalizers).length > 0) metadata.finalizers = m.finalizers;
  return { apiVersion: ARGO_API, kind: 'Application', metadata, spec: app.spec };
}

function pick(o: Json, keys: string[]): Json {
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  return out;
}

/** deeplyReplace with the goTemplate branch of Replace (fasttemplate.ts subset). */
function renderGo(value: unknown, params: GeneratorParams, options: string[]): unknown {
  const r = (s: string) => {
    try {
      return renderReplace(s, params as TemplateParams, true, options);
    } catch (e) {
      if (/unsupported Go template construct/.test((e as Error).message)) throw new Refused((e as Error).message);
      throw e;
    }
  };
  if (typeof value === 'string') return r(value);
  if (Array.isArray(value)) return value.map((v) => (v === null || v === undefined ? null : renderGo(v, params, options)));
  if (isRecord(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      setOwn(out, r(k), renderGo(v, params, options));
    }
    return out;
  }
  return value;
}

/** argoutil.NormalizeApplicationSpec, as createOrUpdate applies it before writing. */
function normalizeSpec(spec: Json): void {
  const sp = spec.syncPolicy;
  if (isRecord(sp) && sp.automated == null && asArray(sp.syncOptions).length === 0 && sp.retry == null && sp.managedNamespaceMetadata == null) delete spec.syncPolicy;
}

// Fields of ArgoCD's Application (pkg/apis/application/v1alpha1/types.go): the
// API server drops anything else, so a template using other keys does not do
// what it says. Source types other than a plain directory are not evaluated.
const TEMPLATE_FIELDS: Record<string, Set<string>> = {
  template: new Set(['metadata', 'spec']),
  'template.metadata': new Set(['name', 'namespace', 'labels', 'annotations', 'finalizers']),
  'template.spec': new Set(['source', 'destination', 'project', 'syncPolicy', 'ignoreDifferences', 'info', 'revisionHistoryLimit']),
  'template.spec.source': new Set(['repoURL', 'path', 'targetRevision', 'ref', 'name']),
  'template.spec.destination': new Set(['server', 'namespace', 'name']),
  'template.spec.syncPolicy': new Set(['automated', 'syncOptions', 'retry', 'managedNamespaceMetadata']),
  'template.spec.syncPolicy.automated': new Set(['prune', 'selfHeal', 'allowEmpty', 'enabled']),
  'template.spec.syncPolicy.retry': new Set(['limit', 'backoff', 'refresh']),
  'template.spec.syncPolicy.retry.backoff': new Set(['duration', 'factor', 'maxDuration']),
};
const NOT_EVALUATED: Record<string, string> = {
  'template.spec.sources': 'multiple sources',
  'template.spec.sourceHydrator': 'the source hydrator',
  'template.spec.source.helm': 'Helm sources',
  'template.spec.source.kustomize': 'Kustomize source options',
  'template.spec.source.directory': 'directory source options',
  'template.spec.source.plugin': 'plugin sources',
  'template.spec.source.chart': 'Helm chart sources',
};

function checkTemplateFields(template: Json): void {
  const walk = (path: string, value: unknown) => {
    const known = TEMPLATE_FIELDS[path];
    if (!known || !isRecord(value)) return;
    for (const [k, v] of Object.entries(value)) {
      const sub = `${path}.${k}`;
      if (NOT_EVALUATED[sub]) throw new Refused(`spec.${sub} (${NOT_EVALUATED[sub]}) is not evaluated by the preview`);
      if (!known.has(k)) throw new Refused(`spec.${sub} is not a field of ArgoCD's Application: the API server would drop it`);
      walk(sub, v);
    }
  };
  walk('template', template);
}

function safeNormalize(url: string): string | undefined {
  try {
    return normalizeGitURL(url);
  } catch {
    return undefined;
  }
}

interface AppCheckContext {
  projects: Map<string, { file: string; spec: ProjectSpec }>;
  files: ReadonlyMap<string, string>;
  repoKey?: string;
  revision?: string;
  warnings: string[];
  clusterWarned: Set<string>;
}

/** What the application controller reports for a created Application (InvalidSpecError, ComparisonError, sync refusals). */
function applicationErrors(g: Generated, ctx: AppCheckContext): string[] {
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

/** Applications as YAML documents (`---` between them) or a JSON array; trailing newline. */
export function formatPreview(apps: Record<string, unknown>[], output: 'yaml' | 'json'): string {
  if (output === 'json') return `${JSON.stringify(apps, null, 2)}\n`;
  return apps.map((a) => toYaml(a as KubeObject)).join('---\n');
}

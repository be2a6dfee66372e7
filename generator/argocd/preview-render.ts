/**
 * Turning one parameter set into the Application ArgoCD writes
 * (argoproj/argo-cd 37ee0097cf851bc2dd7665fc081bbce61a7e836e):
 * applicationset/utils/utils.go GetTempApplication + RenderTemplateParams
 * (fasttemplate, or the goTemplate subset of fasttemplate.ts), the
 * resources-finalizer rule, argoutil.NormalizeApplicationSpec, and the check
 * that the template only uses fields of ArgoCD's Application type.
 */
import { renderReplace, renderTemplateObject, setOwn, type TemplateParams } from './fasttemplate.js';
import type { GeneratorParams } from './git-generator.js';
import { ARGO_API, asArray, isRecord, Refused, type Json } from './preview-common.js';

const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** GetTempApplication + RenderTemplateParams (+ the finalizer rule). */
export function renderApplication(template: Json, params: GeneratorParams, goTemplate: boolean, options: string[], preserve: boolean): Json {
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
export function normalizeSpec(spec: Json): void {
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

export function checkTemplateFields(template: Json): void {
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

/**
 * The AppProject every generated Application belongs to (least privilege),
 * and ports of the AppProject checks ArgoCD applies to an Application and its
 * resources (argoproj/argo-cd pkg/apis/application/v1alpha1/app_project_types.go
 * IsSourcePermitted, IsDestinationPermitted, IsGroupKindNamePermitted, and
 * util/git NormalizeGitURL), so tests and the preview can ask the same
 * questions ArgoCD asks.
 */
import { sharedNamespaces, type KubeObject } from '../charts/environment.js';
import { MANAGED_BY, waveAnnotation } from '../charts/labels.js';
import { componentCredentials, componentKinds } from '../components/registry.js';
import type { EnvironmentSpec, SecretProviderName } from '../environment/types.js';
import { PART_OF } from '../environment/resolve.js';
import { generatable } from '../secrets/external.js';
import { goPathMatch } from './git-generator.js';
import { isDenyPattern, projectGlobMatch } from './glob.js';

export const DEFAULT_PROJECT = 'mlflow';

/** ArgoCD applies argocd/ in wave order: the project before the ApplicationSets that name it. */
export const ArgoWave = { project: -1, clusterResources: 0, environments: 1 } as const;

export interface GroupKind {
  group: string;
  kind: string;
}

export interface Destination {
  server: string;
  namespace: string;
}

/**
 * Namespaced kinds of the Secrets each provider renders; every other kind
 * comes from the components (generator/components, `kinds`). Persistent
 * volume claims are created by the StatefulSet controller from
 * volumeClaimTemplates and Pods by their controllers: ArgoCD never applies
 * them, so the project does not allow them.
 */
const SECRET_KINDS: Record<SecretProviderName, (spec: EnvironmentSpec) => GroupKind[]> = {
  existing: () => [],
  plain: () => [{ group: '', kind: 'Secret' }],
  'sealed-secrets': () => [{ group: 'bitnami.com', kind: 'SealedSecret' }],
  'external-secrets': (spec) => [
    { group: 'external-secrets.io', kind: 'ExternalSecret' },
    // Password generators for the credentials the provider may generate (generator/secrets/external.ts).
    ...([...componentCredentials(spec)].some((id) => generatable({ spec }, id)) ? [{ group: 'generators.external-secrets.io', kind: 'Password' }] : []),
  ],
};

/** The only cluster-scoped kind we render: each environment's namespace and the clusters' shared ones. */
export const CLUSTER_KINDS: GroupKind[] = [{ group: '', kind: 'Namespace' }];

const compareGroupKind = (a: GroupKind, b: GroupKind) => (a.group === b.group ? cmp(a.kind, b.kind) : cmp(a.group, b.group));
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Namespaced kinds rendered for these environments, sorted by group then kind. */
export function namespacedKinds(specs: EnvironmentSpec[]): GroupKind[] {
  const all = new Map<string, GroupKind>();
  for (const spec of specs) {
    const kinds = [...componentKinds(spec), ...SECRET_KINDS[spec.secrets.provider](spec)];
    for (const k of kinds) all.set(`${k.group}/${k.kind}`, { group: k.group, kind: k.kind });
  }
  return [...all.values()].sort(compareGroupKind);
}

/** Every namespace an environment's objects are written to. */
export function environmentNamespaces(spec: EnvironmentSpec): string[] {
  return [...new Set([spec.namespace, ...sharedNamespaces(spec)])].sort();
}

/** (server, namespace) pairs of every environment, sorted and unique. */
export function projectDestinations(specs: EnvironmentSpec[]): Destination[] {
  const seen = new Map<string, Destination>();
  for (const spec of specs) {
    for (const namespace of environmentNamespaces(spec)) seen.set(`${spec.cluster.server} ${namespace}`, { server: spec.cluster.server, namespace });
  }
  return [...seen.values()].sort((a, b) => (a.server === b.server ? cmp(a.namespace, b.namespace) : cmp(a.server, b.server)));
}

/**
 * The AppProject: sources = the config repo only; destinations = exactly the
 * (server, namespace) pairs the environments render into; cluster-scoped
 * resources = Namespace only; namespaced resources = the kinds we render.
 * Depends on every environment, never on a selection.
 */
export function buildAppProject(specs: EnvironmentSpec[], opts: { name: string; repoURL: string }): KubeObject {
  const envs = [...specs].sort((a, b) => cmp(a.name, b.name));
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name: opts.name,
      labels: { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': MANAGED_BY },
      annotations: waveAnnotation(ArgoWave.project),
    },
    spec: {
      description: `MLflow environments rendered by gen-gitops (${envs.map((e) => e.name).join(', ') || 'none'}); generated, do not edit`,
      sourceRepos: [opts.repoURL],
      destinations: projectDestinations(envs),
      clusterResourceWhitelist: CLUSTER_KINDS.map((k) => ({ ...k })),
      namespaceResourceWhitelist: namespacedKinds(envs),
    },
  };
}

// ---------------------------------------------------------------------------
// ArgoCD's checks
// ---------------------------------------------------------------------------

/** The parts of an AppProject spec the checks read. */
export interface ProjectSpec {
  sourceRepos?: string[];
  destinations?: { server?: string; name?: string; namespace?: string }[];
  clusterResourceWhitelist?: { group?: string; kind?: string; name?: string }[];
  clusterResourceBlacklist?: { group?: string; kind?: string; name?: string }[];
  namespaceResourceWhitelist?: { group?: string; kind?: string }[] | null;
  namespaceResourceBlacklist?: { group?: string; kind?: string }[];
  permitOnlyProjectScopedClusters?: boolean;
}

const SSH_URL = /^(ssh:\/\/)?([^/:]*?)@[^@]+$/;
const URL_PARTS = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/;
const USERINFO = /^[a-z0-9._~-]*$/;
const HOST = /^[a-z0-9.*!$&'()+,;=_~-]*$/;
const PATH = /^[a-z0-9._~!$&'()*+,;=:@/-]*$/;

/**
 * util/git NormalizeGitURL (lower-case, trim, `git@host:path` → `host/path`,
 * no `.git`, net/url round trip, no `ssh://`) for the URLs and patterns whose
 * net/url round trip is the identity or a parse error ("", as in Go).
 * Anything else (query, fragment, percent-escapes, IPv6 hosts, characters
 * url.String would escape) throws: the preview must not guess.
 */
export function normalizeGitURL(repo: string): string {
  let r = repo.trim().toLowerCase();
  if (SSH_URL.test(r) && !r.startsWith('ssh://')) r = `ssh://${r.replace(':', '/')}`;
  if (r.endsWith('.git')) r = r.slice(0, -4);
  const refuse = () => new Error(`cannot normalise repository URL ${JSON.stringify(repo)} exactly as ArgoCD does (only scheme://host/path URLs and plain patterns are supported)`);
  const m = URL_PARTS.exec(r);
  if (m) {
    const authority = m[2]!;
    const at = authority.lastIndexOf('@');
    const userinfo = at >= 0 ? authority.slice(0, at) : '';
    const hostport = authority.slice(at + 1);
    const colon = hostport.lastIndexOf(':');
    const host = colon >= 0 ? hostport.slice(0, colon) : hostport;
    const port = colon >= 0 ? hostport.slice(colon + 1) : '';
    if (!USERINFO.test(userinfo) || !HOST.test(host) || !PATH.test(m[3]!)) throw refuse();
    if (!/^[0-9]*$/.test(port)) return ''; // url.Parse: invalid port → NormalizeGitURL returns ""
    return r.startsWith('ssh://') ? r.slice('ssh://'.length) : r;
  }
  // No scheme: a relative reference; a colon in the first segment is a parse error.
  const firstSegment = r.split('/')[0] ?? '';
  if (firstSegment.includes(':')) return '';
  if (!PATH.test(r)) throw refuse();
  return r;
}

/** AppProject.IsSourcePermitted (single source). */
export function isSourcePermitted(project: ProjectSpec, repoURL: string): boolean {
  const src = normalizeGitURL(repoURL);
  let any = false;
  for (const repo of project.sourceRepos ?? []) {
    const normalized = isDenyPattern(repo) ? `!${normalizeGitURL(repo.slice(1))}` : normalizeGitURL(repo);
    const matched = projectGlobMatch(normalized, src, true, '/');
    if (matched) any = true;
    else if (isDenyPattern(normalized)) return false;
  }
  return any;
}

/**
 * AppProject.IsDestinationPermitted / isDestinationMatched. `dst.name` is the
 * name under which ArgoCD knows the destination cluster; leave it undefined
 * when unknown (the preview only knows server URLs): the answer is then
 * computed for every possible outcome of the name patterns and must not
 * depend on it — otherwise this throws rather than guess. Projects with
 * permitOnlyProjectScopedClusters need the cluster registry: refused too.
 */
export function isDestinationPermitted(project: ProjectSpec, dst: { server: string; namespace: string; name?: string }): boolean {
  if (project.permitOnlyProjectScopedClusters) throw new Error('the project sets permitOnlyProjectScopedClusters, which depends on the clusters registered in ArgoCD');
  const items = (project.destinations ?? []).map((d) => ({ server: d.server ?? '', name: d.name ?? '', namespace: d.namespace ?? '' }));
  const known = dst.name;
  // Items whose name pattern meets an unknown cluster name; an empty pattern never matches a name.
  const uncertain = known === undefined ? items.flatMap((it, i) => (it.name !== '' ? [i] : [])) : [];
  if (uncertain.length > 12) throw new Error(`the project has ${uncertain.length} destinations matched by cluster name: too many to decide without the cluster registry`);
  let answer: boolean | undefined;
  for (let mask = 0; mask < 1 << uncertain.length; mask++) {
    const nameMatched = (i: number): boolean => {
      if (known !== undefined) return known !== '' && projectGlobMatch(items[i]!.name, known, true);
      const bit = uncertain.indexOf(i);
      return bit >= 0 && (mask & (1 << bit)) !== 0;
    };
    const r = destinationMatched(items, dst, nameMatched);
    if (answer === undefined) answer = r;
    else if (answer !== r) {
      throw new Error(
        `whether the project allows ${dst.server} ${dst.namespace} depends on the name ArgoCD knows that cluster by (the project matches destinations by cluster name)`,
      );
    }
  }
  return answer ?? false;
}

function destinationMatched(
  items: { server: string; name: string; namespace: string }[],
  dst: { server: string; namespace: string },
  nameMatched: (i: number) => boolean,
): boolean {
  let any = false;
  for (const [i, item] of items.entries()) {
    const dstNameMatched = nameMatched(i);
    const dstServerMatched = dst.server !== '' && projectGlobMatch(item.server, dst.server, true);
    const dstNamespaceMatched = projectGlobMatch(item.namespace, dst.namespace, true);
    const matched = (dstServerMatched || dstNameMatched) && dstNamespaceMatched;
    if (matched) any = true;
    else if ((!dstNameMatched && isDenyPattern(item.name)) || (!dstServerMatched && isDenyPattern(item.server) && dstNamespaceMatched)) return false;
    else if (!dstNamespaceMatched && isDenyPattern(item.namespace) && dstServerMatched) return false;
  }
  return any;
}

/** filepath.Match as isResourceInList uses it: a malformed pattern does not match. */
function fileMatch(pattern: string, value: string): boolean {
  try {
    return goPathMatch(pattern, value);
  } catch {
    return false;
  }
}

/** AppProject.IsGroupKindNamePermitted */
export function isGroupKindPermitted(project: ProjectSpec, gk: GroupKind, name: string, namespaced: boolean): boolean {
  const inList = (list: { group?: string; kind?: string; name?: string }[], named: boolean) =>
    list.some((item) => fileMatch(item.kind ?? '', gk.kind) && fileMatch(item.group ?? '', gk.group) && (!named || !item.name || fileMatch(item.name, name)));
  if (namespaced) {
    const white = project.namespaceResourceWhitelist;
    const black = project.namespaceResourceBlacklist ?? [];
    const whitelisted = white === undefined || white === null || (white.length !== 0 && inList(white, false));
    return whitelisted && !(black.length !== 0 && inList(black, false));
  }
  const white = project.clusterResourceWhitelist ?? [];
  const black = project.clusterResourceBlacklist ?? [];
  return white.length !== 0 && inList(white, true) && !(black.length !== 0 && inList(black, true));
}

/** Group of an apiVersion: `apps/v1` → `apps`, `v1` → ``. */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

/** Cluster-scoped kinds of the core APIs (what API discovery would say). */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'storage.k8s.io/StorageClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'scheduling.k8s.io/PriorityClass',
  'networking.k8s.io/IngressClass',
  'external-secrets.io/ClusterSecretStore',
  'external-secrets.io/ClusterExternalSecret',
  'argoproj.io/ClusterWorkflowTemplate',
]);

/**
 * AppProject.IsResourcePermitted for rendered objects, as the application
 * controller checks them at sync: kind allowed, and for namespaced objects the
 * (server, namespace) pair allowed (an object without a namespace goes to the
 * Application's destination namespace). Returns one message per refused object.
 */
export function projectViolations(
  project: ProjectSpec,
  destination: { server: string; namespace: string },
  objects: { path: string; object: Record<string, unknown> }[],
): string[] {
  const out: string[] = [];
  for (const { path, object } of objects) {
    const meta = (object.metadata ?? {}) as { name?: string; namespace?: string };
    const gk = { group: groupOf(String(object.apiVersion ?? '')), kind: String(object.kind ?? '') };
    const namespaced = !CLUSTER_SCOPED.has(`${gk.group}/${gk.kind}`);
    const namespace = namespaced ? meta.namespace || destination.namespace : '';
    const label = `${path}: ${gk.group ? `${gk.group}/` : ''}${gk.kind} ${namespace ? `${namespace}/` : ''}${meta.name ?? ''}`;
    if (!isGroupKindPermitted(project, gk, meta.name ?? '', namespaced)) out.push(`${label}: kind not permitted by the project`);
    else if (namespaced && !isDestinationPermitted(project, { server: destination.server, namespace })) {
      out.push(`${label}: namespace ${namespace} on ${destination.server} not permitted by the project`);
    }
  }
  return out;
}

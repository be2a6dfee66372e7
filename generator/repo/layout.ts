/*
 * The shapes of paths, in the config repo and in the source repository. A
 * leaf module (it imports nothing of the project): every other module asks it
 * where a file goes or what a path is, so a change of layout is made here once.
 */

const ENVS = 'envs';
const CLUSTERS = 'cluster-resources';
const ARGOCD = 'argocd';
const PARAMETERS = 'argocd.json';

/** `<first>/<second>/…`: the second segment when the first is `root`, else undefined. */
function folderUnder(root: string, path: string): string | undefined {
  if (!path.startsWith(`${root}/`)) return undefined;
  const end = path.indexOf('/', root.length + 1);
  // Only a path inside the folder belongs to it: `envs/dev` alone is a file in envs/, not the environment.
  return end > root.length + 1 ? path.slice(root.length + 1, end) : undefined;
}

/** What a manifest file is named after: the fields every Kubernetes object has. */
export interface NamedObject {
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** Paths of the config repo (DESIGN section 4); nothing else decides where a file goes. */
export const Layout = {
  readme: 'README.md',
  argocdDir: ARGOCD,
  /** The folders holding one folder per environment and one per cluster. */
  envsDir: ENVS,
  clustersDir: CLUSTERS,
  envDir: (env: string) => `${ENVS}/${env}`,
  envManifests: (env: string) => `${ENVS}/${env}/manifests`,
  envParameters: (env: string) => `${ENVS}/${env}/${PARAMETERS}`,
  clusterDir: (cluster: string) => `${CLUSTERS}/${cluster}`,
  clusterManifests: (cluster: string) => `${CLUSTERS}/${cluster}/manifests`,
  clusterParameters: (cluster: string) => `${CLUSTERS}/${cluster}/${PARAMETERS}`,
  /** Folders and files of the config repo that belong to gen-gitops (anything else is people's). */
  ownedRoots: [`${ENVS}/`, `${CLUSTERS}/`, `${ARGOCD}/`, 'README.md'] as readonly string[],
  isOwned: (path: string) => Layout.ownedRoots.some((r) => (r.endsWith('/') ? path.startsWith(r) : path === r)),

  /** The environment a path belongs to (`envs/<env>/…`), else undefined. */
  envOf: (path: string): string | undefined => folderUnder(ENVS, path),
  /** The environment's folder (`envs/<env>`) a path is in, else undefined: a lookup key that needs no name parsing by callers. */
  envFolderOf: (path: string): string | undefined => {
    const env = folderUnder(ENVS, path);
    return env === undefined ? undefined : Layout.envDir(env);
  },
  /** The cluster a path belongs to (`cluster-resources/<cluster>/…`), else undefined. */
  clusterOf: (path: string): string | undefined => folderUnder(CLUSTERS, path),
  /**
   * Which part of the config repo a path belongs to, for summaries (plan
   * output, commit message, pull request): the environment's name, `cluster
   * <name>`, `argocd`, or `repository` for anything else (README.md).
   */
  groupOf: (path: string): string => {
    const env = folderUnder(ENVS, path);
    if (env !== undefined) return env;
    const cluster = folderUnder(CLUSTERS, path);
    if (cluster !== undefined) return `cluster ${cluster}`;
    if (path.startsWith(`${ARGOCD}/`)) return 'argocd';
    return 'repository';
  },
  /** The environment whose parameters file (`envs/<env>/argocd.json`) this is: the file ArgoCD's generator reads, so its removal is the environment's. */
  envOfParameters: (path: string): string | undefined => {
    const env = folderUnder(ENVS, path);
    return env !== undefined && path === Layout.envParameters(env) ? env : undefined;
  },
  /** The cluster whose parameters file (`cluster-resources/<cluster>/argocd.json`) this is. */
  clusterOfParameters: (path: string): string | undefined => {
    const cluster = folderUnder(CLUSTERS, path);
    return cluster !== undefined && path === Layout.clusterParameters(cluster) ? cluster : undefined;
  },
  /**
   * A pathspec covering a file for a history lookup: its first three segments
   * (a manifests folder, a parameters file, a file of argocd/), or the file
   * itself when shallower. A fleet's thousands of files become a few hundred
   * pathspecs, which keeps one `git log` within the command-line limit.
   */
  historyScopeOf: (path: string): string => path.split('/').slice(0, 3).join('/'),
  /**
   * Where one object goes in a manifests folder: `<kind>-<name>.yaml`,
   * lower-case; `<kind>-<namespace>-<name>.yaml` when two objects of the
   * folder would share a name (`withNamespace`).
   */
  manifestFile: (dir: string, object: NamedObject, withNamespace = false): string => {
    const ns = withNamespace && object.metadata.namespace ? `${object.metadata.namespace}-` : '';
    return `${dir}/${`${object.kind}-${ns}${object.metadata.name}.yaml`.toLowerCase()}`;
  },
} as const;

const ENVIRONMENTS = 'environments';
const DEFAULTS = 'defaults.yaml';

/** Paths of the source repository (the one holding the environment files). */
export const SourceLayout = {
  environmentsDir: ENVIRONMENTS,
  /** `environments/<name>.yaml`, relative to the source repository. */
  envFile: (env: string) => `${ENVIRONMENTS}/${env}.yaml`,
  defaultsFile: `${ENVIRONMENTS}/${DEFAULTS}`,
  /** Names inside the environments folder (for code that already holds its path). */
  envFileName: (env: string) => `${env}.yaml`,
  defaultsFileName: DEFAULTS,
  /** A file of the environments folder by its name (what `init` copies there). */
  inEnvironments: (fileName: string) => `${ENVIRONMENTS}/${fileName}`,
} as const;

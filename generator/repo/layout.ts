/** Paths of the config repo (DESIGN section 4); nothing else decides where a file goes. */
export const Layout = {
  readme: 'README.md',
  argocdDir: 'argocd',
  envDir: (env: string) => `envs/${env}`,
  envManifests: (env: string) => `envs/${env}/manifests`,
  envParameters: (env: string) => `envs/${env}/argocd.json`,
  clusterDir: (cluster: string) => `cluster-resources/${cluster}`,
  clusterManifests: (cluster: string) => `cluster-resources/${cluster}/manifests`,
  clusterParameters: (cluster: string) => `cluster-resources/${cluster}/argocd.json`,
  /** Folders and files of the config repo that belong to gen-gitops (anything else is people's). */
  ownedRoots: ['envs/', 'cluster-resources/', 'argocd/', 'README.md'] as readonly string[],
  isOwned: (path: string) => Layout.ownedRoots.some((r) => (r.endsWith('/') ? path.startsWith(r) : path === r)),
} as const;

/** Paths of the source repository (the one holding the environment files). */
export const SourceLayout = {
  environmentsDir: 'environments',
  /** `environments/<name>.yaml`, relative to the source repository. */
  envFile: (env: string) => `environments/${env}.yaml`,
  defaultsFile: 'environments/defaults.yaml',
} as const;

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
} as const;

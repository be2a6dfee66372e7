import test from 'ava';
import { readFileSync } from 'node:fs';
import { COMMIT_SUBJECT_PREFIX } from '../generator/repo/commit-marker.js';
import { Layout, SourceLayout } from '../generator/repo/layout.js';

// Every path a function below is asked about, from each part of the config repo.
const envFile = 'envs/dev/manifests/deployment-mlflow.yaml';
const envParameters = 'envs/dev/argocd.json';
const clusterFile = 'cluster-resources/kind-a/manifests/namespace-shared.yaml';
const clusterParameters = 'cluster-resources/kind-a/argocd.json';

test('existing paths keep their shapes', (t) => {
  t.is(Layout.envDir('dev'), 'envs/dev');
  t.is(Layout.envManifests('dev'), 'envs/dev/manifests');
  t.is(Layout.envParameters('dev'), envParameters);
  t.is(Layout.clusterDir('kind-a'), 'cluster-resources/kind-a');
  t.is(Layout.clusterManifests('kind-a'), 'cluster-resources/kind-a/manifests');
  t.is(Layout.clusterParameters('kind-a'), clusterParameters);
  t.deepEqual(Layout.ownedRoots, ['envs/', 'cluster-resources/', 'argocd/', 'README.md']);
  t.deepEqual([Layout.envsDir, Layout.clustersDir, Layout.argocdDir, Layout.readme], ['envs', 'cluster-resources', 'argocd', 'README.md']);
  t.true(Layout.isOwned(envFile));
  t.true(Layout.isOwned('README.md'));
  t.false(Layout.isOwned('docs/README.md'));
  t.false(Layout.isOwned('envsx/dev/a.yaml'));
});

test('envOf: the environment of a path inside envs/<env>/, at any depth', (t) => {
  t.is(Layout.envOf(envFile), 'dev');
  t.is(Layout.envOf(envParameters), 'dev');
  t.is(Layout.envOf('envs/dev/manifests/sub/deeper/x.yaml'), 'dev');
  t.is(Layout.envOf('envs/dev/'), 'dev');
});

test('envOf: undefined outside an environment folder', (t) => {
  t.is(Layout.envOf('envs/dev'), undefined, 'a file directly in envs/ is no environment');
  t.is(Layout.envOf('envs/'), undefined);
  t.is(Layout.envOf('envs//x.yaml'), undefined, 'an empty name is no environment');
  t.is(Layout.envOf('envs'), undefined);
  t.is(Layout.envOf('README.md'), undefined);
  t.is(Layout.envOf('argocd/appset-envs.yaml'), undefined);
  t.is(Layout.envOf(clusterFile), undefined);
  t.is(Layout.envOf('docs/envs/dev/x.yaml'), undefined, 'only at the root of the repo');
  t.is(Layout.envOf('envsx/dev/x.yaml'), undefined);
});

test('envFolderOf: the environment folder, the same string as envDir', (t) => {
  t.is(Layout.envFolderOf(envFile), Layout.envDir('dev'));
  t.is(Layout.envFolderOf(envParameters), 'envs/dev');
  t.is(Layout.envFolderOf('envs/prod-eu/manifests/a/b/c.yaml'), 'envs/prod-eu');
  t.is(Layout.envFolderOf('envs/dev'), undefined);
  t.is(Layout.envFolderOf(clusterFile), undefined);
  t.is(Layout.envFolderOf('argocd/project.yaml'), undefined);
  t.is(Layout.envFolderOf('README.md'), undefined);
  t.is(Layout.envFolderOf('other/dev/x.yaml'), undefined);
});

test('clusterOf: the cluster of a path inside cluster-resources/<cluster>/', (t) => {
  t.is(Layout.clusterOf(clusterFile), 'kind-a');
  t.is(Layout.clusterOf(clusterParameters), 'kind-a');
  t.is(Layout.clusterOf('cluster-resources/kind-a'), undefined);
  t.is(Layout.clusterOf(envFile), undefined);
  t.is(Layout.clusterOf('README.md'), undefined);
});

test('groupOf: an environment, a cluster, argocd or the repository', (t) => {
  t.is(Layout.groupOf(envFile), 'dev');
  t.is(Layout.groupOf(envParameters), 'dev');
  t.is(Layout.groupOf('envs/dev/manifests/nested/x.yaml'), 'dev');
  t.is(Layout.groupOf(clusterFile), 'cluster kind-a');
  t.is(Layout.groupOf(clusterParameters), 'cluster kind-a');
  t.is(Layout.groupOf('argocd/applicationset-envs.yaml'), 'argocd');
  t.is(Layout.groupOf('argocd/nested/x.yaml'), 'argocd');
  t.is(Layout.groupOf('README.md'), 'repository');
  t.is(Layout.groupOf('argocd'), 'repository', 'a file named argocd is not in the argocd folder');
  t.is(Layout.groupOf('envs/dev'), 'repository');
  t.is(Layout.groupOf('cluster-resources/kind-a'), 'repository');
  t.is(Layout.groupOf('docs/notes.md'), 'repository', 'outside the owned roots');
});

test('envOfParameters / clusterOfParameters: only the parameters file itself', (t) => {
  t.is(Layout.envOfParameters(envParameters), 'dev');
  t.is(Layout.envOfParameters(envFile), undefined);
  t.is(Layout.envOfParameters('envs/dev/manifests/argocd.json'), undefined, 'a nested argocd.json is not the parameters file');
  t.is(Layout.envOfParameters(clusterParameters), undefined);
  t.is(Layout.envOfParameters('argocd.json'), undefined);
  t.is(Layout.clusterOfParameters(clusterParameters), 'kind-a');
  t.is(Layout.clusterOfParameters(clusterFile), undefined);
  t.is(Layout.clusterOfParameters(envParameters), undefined);
  t.is(Layout.clusterOfParameters('cluster-resources/kind-a/manifests/argocd.json'), undefined);
});

test('historyScopeOf: at most the first three segments', (t) => {
  t.is(Layout.historyScopeOf(envFile), Layout.envManifests('dev'));
  t.is(Layout.historyScopeOf('envs/dev/manifests/sub/x.yaml'), 'envs/dev/manifests');
  t.is(Layout.historyScopeOf(envParameters), envParameters);
  t.is(Layout.historyScopeOf(clusterFile), Layout.clusterManifests('kind-a'));
  t.is(Layout.historyScopeOf('argocd/project.yaml'), 'argocd/project.yaml');
  t.is(Layout.historyScopeOf('README.md'), 'README.md');
  t.is(Layout.historyScopeOf('docs/a/b/c.md'), 'docs/a/b', 'the same rule outside the owned roots');
});

test('manifestFile: <kind>-<name>.yaml lower-case, namespaced on request', (t) => {
  const o = { kind: 'StatefulSet', metadata: { name: 'Postgres', namespace: 'DB' } };
  t.is(Layout.manifestFile('envs/dev/manifests', o), 'envs/dev/manifests/statefulset-postgres.yaml');
  t.is(Layout.manifestFile('envs/dev/manifests', o, true), 'envs/dev/manifests/statefulset-db-postgres.yaml');
  t.is(
    Layout.manifestFile('envs/dev/manifests', { kind: 'Namespace', metadata: { name: 'dev' } }, true),
    'envs/dev/manifests/namespace-dev.yaml',
    'cluster-scoped: no namespace to add',
  );
  t.is(Layout.manifestFile('Some/Dir', o), 'Some/Dir/statefulset-postgres.yaml', 'the folder is kept as given');
});

test('SourceLayout: environment files', (t) => {
  t.is(SourceLayout.environmentsDir, 'environments');
  t.is(SourceLayout.envFile('dev'), 'environments/dev.yaml');
  t.is(SourceLayout.defaultsFile, 'environments/defaults.yaml');
  t.is(SourceLayout.envFileName('dev'), 'dev.yaml');
  t.is(SourceLayout.defaultsFileName, 'defaults.yaml');
  t.is(SourceLayout.inEnvironments('defaults.yaml'), SourceLayout.defaultsFile);
  t.is(SourceLayout.inEnvironments(SourceLayout.envFileName('dev')), SourceLayout.envFile('dev'));
});

test('layout.ts is a leaf: it imports nothing', (t) => {
  const text = readFileSync(new URL('../generator/repo/layout.ts', import.meta.url), 'utf8');
  t.notRegex(text, /^\s*import\s/m);
});

test('the commit marker is what commit subjects start with', (t) => {
  t.is(COMMIT_SUBJECT_PREFIX, 'gen-gitops:');
  t.true(readFileSync(new URL('../templates/commit-message.hbs', import.meta.url), 'utf8').startsWith('{{marker}} '));
});

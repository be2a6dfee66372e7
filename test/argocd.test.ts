/**
 * argocd/ (AppProject, ApplicationSets), the parameter files and the config
 * repo README, rendered from the shipped environments.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { readApplicationSetSources } from '../generator/argocd/applicationsets.js';
import { parameterErrors } from '../generator/argocd/parameters.js';
import { CLUSTER_KINDS, groupOf, isGroupKindPermitted, namespacedKinds, projectViolations, type ProjectSpec } from '../generator/argocd/project.js';
import { renderArgoCD, type RenderArgoCDResult } from '../generator/argocd/render.js';
import { schemaErrors } from '../generator/check/schema.js';
import { resolveEnvironment } from '../generator/environment/resolve.js';
import type { EnvironmentSpec } from '../generator/environment/types.js';
import { loadInput } from '../generator/pipeline/input.js';
import { renderChecked } from '../generator/pipeline/render.js';
import { ConfigRepoSnapshot } from '../generator/pipeline/snapshot.js';
import { credentialSource } from '../generator/secrets/credentials.js';
import { envYaml, makeSource, specOf, synth, worldOf } from './fixtures/secrets/env.js';
import { projectRoot } from './helpers/workspace.js';

const applicationSetsDir = join(projectRoot, 'applicationsets');
const input = loadInput(projectRoot, [], true);
const all: EnvironmentSpec[] = input.all.map(resolveEnvironment);
const configRepo = input.defaults.configRepo;
const render = (selected: string[], specs = all): RenderArgoCDResult =>
  renderArgoCD({ all: specs, selected, configRepo, applicationSets: readApplicationSetSources(applicationSetsDir) });
const argocdFiles = (r: RenderArgoCDResult) => new Map([...r.files].filter(([p]) => p.startsWith('argocd/') || p === 'README.md'));
const project = (r: RenderArgoCDResult) =>
  parse(r.files.get('argocd/appproject.yaml')!) as { metadata: { annotations: Record<string, string> }; spec: ProjectSpec & Record<string, unknown> };

test('the shipped environments are dev, stg and prod', (t) => {
  t.deepEqual(
    all.map((s) => s.name),
    ['dev', 'prod', 'stg'],
  );
});

test('every object under argocd/ validates against the ArgoCD CRD schema', async (t) => {
  const r = render(['dev', 'prod', 'stg']);
  const paths = [...r.files.keys()].filter((p) => p.startsWith('argocd/'));
  t.deepEqual(r.objects.map((o) => o.path).sort(), paths);
  t.deepEqual(paths, [
    'argocd/applicationset-cluster-resources.yaml',
    'argocd/applicationset-environments-automated.yaml',
    'argocd/applicationset-environments-manual.yaml',
    'argocd/appproject.yaml',
  ]);
  for (const { path, object } of r.objects) {
    t.deepEqual(await schemaErrors(object), [], path);
    // The written file is the object, read as YAML 1.2 and as kubectl reads it (YAML 1.1: yes/no/on/off are booleans).
    t.deepEqual(parse(r.files.get(path)!), object, path);
    t.deepEqual(parse(r.files.get(path)!, { version: '1.1' }), object, path);
  }
});

test('two renders are byte-identical', (t) => {
  const a = render(['dev', 'prod', 'stg']);
  const b = render(['prod', 'stg', 'dev']);
  t.deepEqual([...a.files], [...b.files]);
  t.deepEqual(a.ownedFiles, [...a.files.keys()]);
  t.deepEqual(a.ownedDirs, ['argocd']);
});

test('argocd/ and README.md do not depend on the selection; parameter files do', (t) => {
  const full = render(['dev', 'prod', 'stg']);
  const stg = render(['stg']);
  t.deepEqual([...argocdFiles(stg)], [...argocdFiles(full)]);
  t.deepEqual(
    [...stg.files.keys()].filter((p) => !argocdFiles(stg).has(p)),
    ['cluster-resources/in-cluster/argocd.json', 'envs/stg/argocd.json'],
  );
  t.is(stg.files.get('envs/stg/argocd.json'), full.files.get('envs/stg/argocd.json'));
  t.is(stg.files.get('cluster-resources/in-cluster/argocd.json'), full.files.get('cluster-resources/in-cluster/argocd.json'));
});

test('parameter files: the environment, its destination and sync choice, schema-valid JSON', (t) => {
  const r = render(['dev', 'prod', 'stg']);
  for (const env of ['dev', 'stg', 'prod']) {
    const text = r.files.get(`envs/${env}/argocd.json`)!;
    t.true(text.endsWith('}\n'));
    const value = JSON.parse(text) as unknown;
    t.is(text, `${JSON.stringify(value, null, 2)}\n`);
    t.deepEqual(parameterErrors(value), []);
    t.deepEqual(value, {
      environment: env,
      cluster: 'in-cluster',
      // issue 13.9: the shared database namespace, created by CreateNamespace=true when missing.
      destination: { server: 'https://kubernetes.default.svc', namespace: 'pgsql' },
      sync: env === 'prod' ? 'manual' : 'automated',
    });
  }
  t.deepEqual(JSON.parse(r.files.get('cluster-resources/in-cluster/argocd.json')!), {
    cluster: 'in-cluster',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'pgsql' },
  });
  t.notDeepEqual(parameterErrors({ environment: 'dev', cluster: 'c', destination: { server: 'https://x', namespace: 'n' }, sync: 'sometimes' }), []);
  t.notDeepEqual(parameterErrors({ environment: 'dev', cluster: 'c', destination: { server: 'https://x', namespace: 'n' }, sync: 'manual', extra: 1 }), []);
});

test('AppProject: the config repo only, exactly the destinations used, precedes the ApplicationSets', (t) => {
  const r = render(['stg']);
  const p = project(r);
  t.deepEqual(p.spec.sourceRepos, [configRepo.url]);
  t.deepEqual(p.spec.destinations, [
    { server: 'https://kubernetes.default.svc', namespace: 'mlflow-dev' },
    { server: 'https://kubernetes.default.svc', namespace: 'mlflow-prod' },
    { server: 'https://kubernetes.default.svc', namespace: 'mlflow-stg' },
    { server: 'https://kubernetes.default.svc', namespace: 'pgsql' },
  ]);
  const projectWave = Number(p.metadata.annotations['argocd.argoproj.io/sync-wave']);
  for (const { path, object } of r.objects.filter((o) => o.object.kind === 'ApplicationSet')) {
    const wave = Number((object.metadata as { annotations: Record<string, string> }).annotations['argocd.argoproj.io/sync-wave']);
    t.true(projectWave < wave, `${path} wave ${wave} after the project's ${projectWave}`);
  }
});

test('AppProject: nothing cluster-scoped beyond Namespace; namespaced kinds are exactly the rendered ones', async (t) => {
  const p = project(render(['dev', 'prod', 'stg']));
  t.deepEqual(p.spec.clusterResourceWhitelist, [{ group: '', kind: 'Namespace' }]);
  t.deepEqual(CLUSTER_KINDS, [{ group: '', kind: 'Namespace' }]);
  t.is(p.spec.clusterResourceBlacklist, undefined);
  for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']) {
    t.false(isGroupKindPermitted(p.spec, { group: kind.startsWith('Cluster') ? 'rbac.authorization.k8s.io' : '', kind }, 'x', false), kind);
  }
  t.true(isGroupKindPermitted(p.spec, { group: '', kind: 'Namespace' }, 'mlflow-dev', false));

  // What the shipped environments render (+ the clusters' shared namespaces).
  const rendered = await renderChecked(input, ConfigRepoSnapshot.empty(), { environ: {} });
  // argocd/ itself is applied to the argocd namespace by hand, not synced by the project's Applications.
  const synced = rendered.objects.filter((o) => !o.path.startsWith('argocd/'));
  const namespaced = new Set(synced.filter((o) => o.object.kind !== 'Namespace').map((o) => `${groupOf(o.object.apiVersion)}/${o.object.kind}`));
  t.deepEqual((p.spec.namespaceResourceWhitelist ?? []).map((k) => `${k.group}/${k.kind}`).sort(), [...namespaced].sort());
  // ArgoCD would sync every rendered object: kind and (server, namespace) permitted.
  for (const spec of all) {
    const objects = rendered.objects.filter((o) => o.path.startsWith(`envs/${spec.name}/`));
    t.true(objects.length > 0);
    t.deepEqual(projectViolations(p.spec, { server: spec.cluster.server, namespace: spec.namespace }, objects), [], spec.name);
  }
  const shared = rendered.objects.filter((o) => o.path.startsWith('cluster-resources/'));
  t.deepEqual(
    shared.map((o) => o.object.kind),
    ['Namespace'],
  );
  t.deepEqual(projectViolations(p.spec, { server: 'https://kubernetes.default.svc', namespace: 'pgsql' }, shared), []);
  // ... and nothing else: a foreign namespace or kind is refused.
  t.is(
    projectViolations(p.spec, { server: 'https://kubernetes.default.svc', namespace: 'mlflow-dev' }, [
      { path: 'x.yaml', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } } },
    ]).length,
    1,
  );
  t.is(
    projectViolations(p.spec, { server: 'https://kubernetes.default.svc', namespace: 'mlflow-dev' }, [
      { path: 'x.yaml', object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' } } },
    ]).length,
    1,
  );
  t.is(
    projectViolations(p.spec, { server: 'https://kubernetes.default.svc', namespace: 'mlflow-dev' }, [
      { path: 'x.yaml', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'mlflow-dev' } } },
    ]).length,
    1,
  );
});

test('AppProject kinds follow the secret providers the environments use', (t) => {
  const dev = all.find((s) => s.name === 'dev')!;
  const kinds = (spec: EnvironmentSpec) => namespacedKinds([spec]).map((k) => `${k.group}/${k.kind}`);
  t.false(kinds(dev).includes('/Secret'));
  t.true(kinds({ ...dev, secrets: { ...dev.secrets, provider: 'plain' } }).includes('/Secret'));
  t.true(kinds({ ...dev, secrets: { ...dev.secrets, provider: 'sealed-secrets' } }).includes('bitnami.com/SealedSecret'));
  const external = {
    ...dev,
    secrets: {
      ...dev.secrets,
      provider: 'external-secrets' as const,
      external: { storeRef: { name: 's', kind: 'ClusterSecretStore' as const }, remoteKeyPrefix: 'p', refreshInterval: '1h', generatePasswords: true },
    },
  };
  t.deepEqual(
    kinds(external).filter((k) => k.includes('external-secrets')),
    ['external-secrets.io/ExternalSecret', 'generators.external-secrets.io/Password'],
  );
  // External databases: no StatefulSet.
  t.false(kinds({ ...dev, postgres: { ...dev.postgres, embedded: undefined }, minio: { ...dev.minio, embedded: undefined } }).includes('apps/StatefulSet'));
});

test('AppProject kinds match what the plain and external-secrets providers really render', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'gen-gitops-argocd-kinds-'));
  try {
    const source = makeSource(
      {
        ext: envYaml('ext', { secrets: 'provider: external-secrets\nexternalSecrets:\n  storeRef: { name: vault }\n  generatePasswords: true' }),
        plain: envYaml('plain', { secrets: 'provider: plain', extra: 'allowPlaintextSecrets: true' }),
      },
      base,
    );
    for (const env of ['ext', 'plain']) {
      const spec = specOf(source, env);
      const objects = synth(spec, credentialSource({ environ: {} }), worldOf());
      const rendered = [...new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => `${groupOf(o.apiVersion)}/${o.kind}`))].sort();
      t.deepEqual(
        namespacedKinds([spec])
          .map((k) => `${k.group}/${k.kind}`)
          .sort(),
        rendered,
        env,
      );
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('ApplicationSets: ArgoCD placeholders kept verbatim, only repo, revision and project filled in', (t) => {
  const r = render(['dev']);
  for (const source of readApplicationSetSources(applicationSetsDir)) {
    const path = `argocd/applicationset-${source.file}`;
    const text = r.files.get(path)!;
    const out = parse(text) as { spec: { generators: { git: Record<string, unknown> }[]; template: { spec: { project: string; source: Record<string, unknown> } } } };
    const raw = readFileSync(join(applicationSetsDir, source.file), 'utf8');
    const placeholders = raw.match(/\{\{[A-Za-z][\w.\[\]]*\}\}/g) ?? [];
    t.true(placeholders.length >= 3, path);
    for (const placeholder of placeholders) t.true(text.includes(placeholder), `${path} keeps ${placeholder}`);
    t.true(/\{\{path\}\}\/manifests/.test(text));
    for (const g of out.spec.generators) {
      t.is(g.git.repoURL, configRepo.url);
      t.is(g.git.revision, configRepo.revision);
    }
    t.is(out.spec.template.spec.project, 'mlflow');
    t.is(out.spec.template.spec.source.repoURL, configRepo.url);
    t.is(out.spec.template.spec.source.targetRevision, configRepo.revision);
    // Everything else is the source as written.
    const reset = structuredClone(out) as typeof out;
    const src = source.object as unknown as typeof out;
    reset.spec.generators.forEach((g, i) => {
      g.git.repoURL = src.spec.generators[i]!.git.repoURL;
      g.git.revision = src.spec.generators[i]!.git.revision;
    });
    reset.spec.template.spec.project = src.spec.template.spec.project;
    reset.spec.template.spec.source.repoURL = src.spec.template.spec.source.repoURL;
    reset.spec.template.spec.source.targetRevision = src.spec.template.spec.source.targetRevision;
    t.deepEqual(reset, src);
  }
});

test('ApplicationSets: per-environment sync through selectors; resources preserved on deletion', (t) => {
  const r = render(['dev']);
  const set = (name: string) => parse(r.files.get(`argocd/applicationset-${name}.yaml`)!) as { spec: Record<string, any> };
  const auto = set('environments-automated').spec;
  const manual = set('environments-manual').spec;
  t.deepEqual(auto.generators[0].selector, { matchLabels: { sync: 'automated' } });
  t.deepEqual(manual.generators[0].selector, { matchLabels: { sync: 'manual' } });
  t.deepEqual(auto.template.spec.syncPolicy.automated, { prune: true, selfHeal: true });
  t.is(manual.template.spec.syncPolicy.automated, undefined);
  for (const s of [auto, manual, set('cluster-resources').spec]) {
    t.is(s.goTemplate, false);
    t.true(s.syncPolicy.preserveResourcesOnDeletion);
    // issue 13.9: environments create their shared database namespace when missing; the cluster set never creates one.
    t.true(s.template.spec.syncPolicy.syncOptions.includes(s === auto || s === manual ? 'CreateNamespace=true' : 'CreateNamespace=false'));
    t.true(s.template.spec.syncPolicy.syncOptions.includes('FailOnSharedResource=true'));
    t.false(s.template.spec.syncPolicy.syncOptions.some((o: string) => o.startsWith('ServerSideApply')));
  }
  t.deepEqual(auto.ignoreApplicationDifferences, [{ jsonPointers: ['/spec/syncPolicy/automated'] }]);
  t.is(manual.ignoreApplicationDifferences, undefined);
});

test('config repo README: folders, the one-time kubectl apply, the change flow, every environment', (t) => {
  const readme = render(['prod']).files.get('README.md')!;
  t.true(readme.includes('kubectl apply -n argocd -f argocd/'));
  for (const folder of ['argocd/appproject.yaml', 'envs/<env>/argocd.json', 'envs/<env>/manifests/', 'cluster-resources/<cluster>/manifests/'])
    t.true(readme.includes(folder), folder);
  t.regex(readme, /\| dev \| `mlflow-dev` \| in-cluster \| 30502 \| automated \(prune, selfHeal\) \| `mlflow-dev` \|/);
  t.regex(readme, /\| stg \| `mlflow-stg` \| in-cluster \| 30501 \| automated \(prune, selfHeal\) \| `mlflow-stg` \|/);
  t.regex(readme, /\| prod \| `mlflow-prod` \| in-cluster \| 30500 \| manual \| `mlflow-prod` \|/);
  t.true(readme.includes('npx gen-gitops --all --repo /tmp/gitops-check'));
  t.true(readme.includes('npx gen-gitops preview --repo /tmp/gitops-check'));
  t.false(readme.includes('{{'), 'no unrendered handlebars');
});

test('an ApplicationSet source that is not an ApplicationSet is refused', (t) => {
  t.throws(
    () => renderArgoCD({ all, selected: ['dev'], configRepo, applicationSets: readApplicationSetSources(join(projectRoot, 'test', 'fixtures', 'argocd', 'bad-applicationsets')) }),
    {
      message: /expected apiVersion argoproj.io\/v1alpha1, kind ApplicationSet/,
    },
  );
});

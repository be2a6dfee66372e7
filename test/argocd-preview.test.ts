/**
 * The offline preview over a config repo rendered from the shipped
 * environments (manifests + argocd/ + parameter files), written to a temp
 * folder as gen-gitops would, then tampered with to provoke every error the
 * ApplicationSet and application controllers would report.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import { parse, stringify } from 'yaml';
import { formatPreview, previewApplications, previewTree, type PreviewResult } from '../generator/argocd/preview.js';
import { readApplicationSetSources } from '../generator/argocd/applicationsets.js';
import { renderArgoCD } from '../generator/argocd/render.js';
import { resolveEnvironment } from '../generator/environment/resolve.js';
import { loadInput } from '../generator/pipeline/input.js';
import { renderChecked } from '../generator/pipeline/render.js';
import { ConfigRepoSnapshot } from '../generator/pipeline/snapshot.js';
import { projectRoot } from './helpers/workspace.js';

type App = { metadata: { name: string; namespace: string; labels: Record<string, string>; finalizers?: string[] }; spec: Record<string, any> };

let files: Map<string, string>;
let repo: string;

test.before(async () => {
  const input = loadInput(projectRoot, [], true);
  const manifests = await renderChecked(input, ConfigRepoSnapshot.empty(), { environ: {} });
  const argocd = renderArgoCD({
    all: input.all.map(resolveEnvironment),
    selected: input.selected,
    configRepo: input.defaults.configRepo,
    applicationSets: readApplicationSetSources(join(projectRoot, 'applicationsets')),
  });
  files = new Map([...manifests.files, ...argocd.files].sort(([a], [b]) => (a < b ? -1 : 1)));
  repo = mkdtempSync(join(tmpdir(), 'gen-gitops-preview-'));
  writeTree(repo, files);
});

test.after.always(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

function writeTree(root: string, tree: Map<string, string>): void {
  for (const [p, c] of tree) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
}

/** The rendered tree with some files replaced (undefined removes). */
function tree(changes: Record<string, string | undefined>): Map<string, string> {
  const out = new Map(files);
  for (const [p, c] of Object.entries(changes)) {
    if (c === undefined) out.delete(p);
    else out.set(p, c);
  }
  return out;
}

const apps = (r: PreviewResult) => r.applications as unknown as App[];
const names = (r: PreviewResult) => apps(r).map((a) => a.metadata.name);
const editYaml = (path: string, edit: (o: any) => void): string => {
  const o = parse(files.get(path)!) as unknown;
  edit(o);
  return stringify(o);
};
const editJson = (path: string, edit: (o: any) => void): string => {
  const o = JSON.parse(files.get(path)!) as unknown;
  edit(o);
  return `${JSON.stringify(o, null, 2)}\n`;
};

test('the shipped environments yield one Application each, plus the cluster one', (t) => {
  const r = previewApplications({ repoRoot: repo });
  t.deepEqual(r.errors, []);
  t.deepEqual(names(r), ['mlflow-cluster-resources-in-cluster', 'mlflow-dev', 'mlflow-prod', 'mlflow-stg']);
  const byName = new Map(apps(r).map((a) => [a.metadata.name, a]));
  for (const env of ['dev', 'stg', 'prod']) {
    const app = byName.get(`mlflow-${env}`)!;
    t.is(app.metadata.namespace, 'argocd');
    t.is(app.spec.project, 'mlflow');
    t.deepEqual(app.spec.source, { repoURL: 'https://github.com/example-org/mlflow-gitops.git', targetRevision: 'main', path: `envs/${env}/manifests` });
    t.deepEqual(app.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'pgsql' });
    t.is(app.metadata.labels['gen-gitops/environment'], env);
    // preserveResourcesOnDeletion: no resources-finalizer, so deleting the Application keeps the database.
    t.is(app.metadata.finalizers, undefined);
  }
  t.deepEqual(byName.get('mlflow-dev')!.spec.syncPolicy.automated, { prune: true, selfHeal: true });
  t.deepEqual(byName.get('mlflow-stg')!.spec.syncPolicy.automated, { prune: true, selfHeal: true });
  t.is(byName.get('mlflow-prod')!.spec.syncPolicy.automated, undefined);
  t.deepEqual(byName.get('mlflow-prod')!.spec.syncPolicy.syncOptions, ['CreateNamespace=true', 'PruneLast=true', 'FailOnSharedResource=true']);
  const cluster = byName.get('mlflow-cluster-resources-in-cluster')!;
  t.is(cluster.spec.source.path, 'cluster-resources/in-cluster/manifests');
  t.deepEqual(cluster.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'pgsql' });
  t.deepEqual(cluster.spec.syncPolicy.automated, { prune: false, selfHeal: true });
  t.deepEqual(
    r.origins.map((o) => `${o.application} ${o.applicationSet} ${o.parameters}`),
    [
      'mlflow-cluster-resources-in-cluster mlflow-cluster-resources cluster-resources/in-cluster/argocd.json',
      'mlflow-dev mlflow-environments-automated envs/dev/argocd.json',
      'mlflow-prod mlflow-environments-manual envs/prod/argocd.json',
      'mlflow-stg mlflow-environments-automated envs/stg/argocd.json',
    ],
  );
});

test('--env keeps one environment; the output formats round-trip', (t) => {
  const r = previewApplications({ repoRoot: repo, env: 'prod' });
  t.deepEqual(r.errors, []);
  t.deepEqual(names(r), ['mlflow-prod']);
  const json = formatPreview(r.applications, 'json');
  t.true(json.endsWith(']\n'));
  t.deepEqual(JSON.parse(json), r.applications);
  const all = previewApplications({ repoRoot: repo });
  const yaml = formatPreview(all.applications, 'yaml');
  t.is(yaml.split(/^---$/m).length, 4);
  t.deepEqual(
    yaml.split(/^---\n/m).map((d) => parse(d) as unknown),
    all.applications,
  );
  t.is(formatPreview(all.applications, 'yaml'), yaml, 'deterministic');
  const unknown = previewApplications({ repoRoot: repo, env: 'qa' });
  t.deepEqual(unknown.applications, []);
  t.regex(unknown.errors.join('\n'), /environment 'qa' has no envs\/qa\/argocd.json/);
});

test('a destination outside the environments is refused by the AppProject (on disk)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-gitops-preview-'));
  try {
    writeTree(dir, files);
    writeFileSync(
      join(dir, 'envs/dev/argocd.json'),
      editJson('envs/dev/argocd.json', (o) => (o.destination.namespace = 'kube-system')),
    );
    const r = previewApplications({ repoRoot: dir });
    t.is(r.errors.length, 1);
    t.regex(
      r.errors[0]!,
      /Application mlflow-dev .*application destination server 'https:\/\/kubernetes.default.svc' and namespace 'kube-system' do not match any of the allowed destinations in project 'mlflow'/,
    );
    // ArgoCD still creates the Application (with an InvalidSpecError condition).
    t.true(names(r).includes('mlflow-dev'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('another cluster is refused too', (t) => {
  const r = previewTree({ files: tree({ 'envs/stg/argocd.json': editJson('envs/stg/argocd.json', (o) => (o.destination.server = 'https://10.1.2.3:6443')) }) });
  t.regex(r.errors.join('\n'), /application destination server 'https:\/\/10.1.2.3:6443' and namespace 'pgsql' do not match/);
  t.regex(r.warnings.join('\n'), /https:\/\/10.1.2.3:6443 must be registered in ArgoCD/);
});

test('objects the AppProject does not allow are reported: cluster-scoped kinds, foreign namespaces', (t) => {
  const kustomization = editYaml('envs/dev/manifests/kustomization.yaml', (k) => k.resources.push('clusterrole-admin.yaml', 'configmap-elsewhere.yaml'));
  const r = previewTree({
    files: tree({
      'envs/dev/manifests/kustomization.yaml': kustomization,
      'envs/dev/manifests/clusterrole-admin.yaml': stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'admin-everything' },
        rules: [],
      }),
      'envs/dev/manifests/configmap-elsewhere.yaml': stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } }),
    }),
  });
  t.is(r.errors.length, 2);
  t.regex(r.errors[0]!, /mlflow-dev.*ClusterRole admin-everything: kind not permitted by the project/);
  t.regex(r.errors[1]!, /mlflow-dev.*ConfigMap kube-system\/x: namespace kube-system on https:\/\/kubernetes.default.svc not permitted/);
});

test('duplicate Application names: ArgoCD creates none of them', (t) => {
  // A copied folder whose argocd.json still says "dev".
  const r = previewTree({
    files: tree({
      'envs/dev-copy/argocd.json': files.get('envs/dev/argocd.json'),
      'envs/dev-copy/manifests/kustomization.yaml': files.get('envs/dev/manifests/kustomization.yaml'),
    }),
  });
  t.is(r.errors.length, 1);
  t.regex(
    r.errors[0]!,
    /ApplicationSet mlflow-environments-automated .*Application mlflow-dev is not created: ApplicationSet mlflow-environments-automated contains applications with duplicate name: mlflow-dev/,
  );
  t.deepEqual(names(r), ['mlflow-cluster-resources-in-cluster', 'mlflow-prod', 'mlflow-stg']);
});

test('the same Application from two ApplicationSets is reported', (t) => {
  const copy = editYaml('argocd/applicationset-environments-automated.yaml', (o) => (o.metadata.name = 'mlflow-environments-automated-copy'));
  const r = previewTree({ files: tree({ 'argocd/applicationset-zz-copy.yaml': copy }) });
  t.deepEqual(
    r.errors.map((e) => e.replace(/ApplicationSets .* and /, 'ApplicationSets A and ')),
    [
      'Application mlflow-dev is generated by ApplicationSets A and mlflow-environments-automated-copy: only one can own it (the other reports it as already owned by another ApplicationSet)',
      'Application mlflow-stg is generated by ApplicationSets A and mlflow-environments-automated-copy: only one can own it (the other reports it as already owned by another ApplicationSet)',
    ],
  );
  t.deepEqual(names(r), ['mlflow-cluster-resources-in-cluster', 'mlflow-prod']);
});

test('an empty Application name is reported', (t) => {
  const set = editYaml('argocd/applicationset-environments-manual.yaml', (o) => (o.spec.template.metadata.name = '{{appName}}'));
  const params = editJson('envs/prod/argocd.json', (o) => (o.appName = ''));
  const r = previewTree({ files: tree({ 'argocd/applicationset-environments-manual.yaml': set, 'envs/prod/argocd.json': params }) });
  t.is(r.errors.length, 1);
  t.regex(r.errors[0]!, /Application \(no name\) is not created: ApplicationSet mlflow-environments-manual contains an application with no name/);
  t.false(names(r).includes('mlflow-prod'));
});

test('unknown fasttemplate tags are kept as written', (t) => {
  const set = editYaml('argocd/applicationset-environments-manual.yaml', (o) => (o.spec.template.metadata.annotations = { note: '{{ no-such-parameter }} for {{environment}}' }));
  const r = previewTree({ files: tree({ 'argocd/applicationset-environments-manual.yaml': set }), env: 'prod' });
  t.deepEqual(r.errors, []);
  t.deepEqual((apps(r)[0]!.metadata as { annotations?: Record<string, string> }).annotations, { note: '{{ no-such-parameter }} for prod' });
});

test('a sync choice no selector takes produces no Application', (t) => {
  const r = previewTree({ files: tree({ 'envs/prod/argocd.json': editJson('envs/prod/argocd.json', (o) => (o.sync = 'Manual')) }), env: 'prod' });
  t.deepEqual(r.applications, []);
  t.regex(r.errors.join('\n'), /no Application is generated from envs\/prod\/argocd.json/);
});

test("legacy globbing: * crosses '/', the exclude keeps deeper argocd.json files out", (t) => {
  const deeper = { 'envs/dev/manifests/argocd.json': files.get('envs/stg/argocd.json') };
  t.deepEqual(previewTree({ files: tree(deeper) }).errors, []);
  const withoutExclude = editYaml('argocd/applicationset-environments-automated.yaml', (o) => o.spec.generators[0].git.files.pop());
  const r = previewTree({ files: tree({ ...deeper, 'argocd/applicationset-environments-automated.yaml': withoutExclude }) });
  t.regex(r.errors.join('\n'), /duplicate name: mlflow-stg/);
  // With the new doublestar globbing `*` stays within a segment: no duplicate.
  t.deepEqual(previewTree({ files: tree({ ...deeper, 'argocd/applicationset-environments-automated.yaml': withoutExclude }), newGlobbing: true }).errors, []);
});

test('an unreadable parameters file fails every ApplicationSet that reads it', (t) => {
  const r = previewTree({ files: tree({ 'envs/dev/argocd.json': '{"environment": "dev",' }) });
  t.deepEqual(names(r), ['mlflow-cluster-resources-in-cluster']);
  t.is(r.errors.length, 2);
  for (const e of r.errors) t.regex(e, /fails to generate Applications .*unable to process file 'envs\/dev\/argocd.json'/);
});

test('a missing project stops the ApplicationSet', (t) => {
  const r = previewTree({ files: tree({ 'argocd/appproject.yaml': undefined }) });
  t.deepEqual(r.applications, []);
  t.is(r.errors.length, 3);
  for (const e of r.errors) t.regex(e, /fails to generate Applications .*error getting project mlflow: appprojects.argoproj.io "mlflow" not found/);
});

test('a wrong source repository is refused by the AppProject', (t) => {
  const set = editYaml('argocd/applicationset-environments-manual.yaml', (o) => (o.spec.template.spec.source.repoURL = 'https://github.com/someone-else/repo.git'));
  const r = previewTree({ files: tree({ 'argocd/applicationset-environments-manual.yaml': set }), env: 'prod' });
  t.regex(r.errors.join('\n'), /application repo https:\/\/github.com\/someone-else\/repo.git is not permitted in project 'mlflow'/);
});

test('a missing manifests folder is reported', (t) => {
  const changes: Record<string, undefined> = {};
  for (const p of files.keys()) if (p.startsWith('envs/stg/manifests/')) changes[p] = undefined;
  const r = previewTree({ files: tree(changes) });
  t.regex(r.errors.join('\n'), /mlflow-stg .*app path does not exist: envs\/stg\/manifests/);
});

test('constructs the preview cannot evaluate exactly are refused, never guessed', (t) => {
  const path = 'argocd/applicationset-environments-manual.yaml';
  const cases: [string, (o: any) => void, RegExp][] = [
    ['templatePatch', (o) => (o.spec.templatePatch = 'spec: {}'), /templatePatch/],
    ['list generator', (o) => o.spec.generators.push({ list: { elements: [{ environment: 'x' }] } }), /the list generator is not evaluated/],
    ['matrix generator', (o) => (o.spec.generators = [{ matrix: { generators: [] } }]), /the matrix generator is not evaluated/],
    ['generator template', (o) => (o.spec.generators[0].git.template = { metadata: { name: 'x' }, spec: { project: '', destination: {} } }), /generator-level template/],
    ['progressive sync', (o) => (o.spec.strategy = { type: 'RollingSync' }), /progressive syncs/],
    ['Go template function', (o) => ((o.spec.goTemplate = true), (o.spec.template.metadata.name = 'mlflow-{{ .environment | upper }}')), /unsupported Go template construct/],
    ['multiple sources', (o) => (o.spec.template.spec.sources = [o.spec.template.spec.source]), /multiple sources/],
    ['Helm options', (o) => (o.spec.template.spec.source.helm = { releaseName: 'x' }), /Helm sources/],
    ['unknown field', (o) => (o.spec.template.spec.syncPolicy.automatic = { prune: true }), /syncPolicy.automatic is not a field of ArgoCD's Application/],
    [
      'cluster by name',
      (o) => (o.spec.template.spec.destination = { name: 'in-cluster', namespace: '{{destination.namespace}}' }),
      /resolving a cluster by name needs ArgoCD's cluster registry/,
    ],
  ];
  for (const [what, edit, message] of cases) {
    const r = previewTree({ files: tree({ [path]: editYaml(path, edit) }), env: 'prod' });
    t.deepEqual(r.applications, [], what);
    t.regex(r.errors.join('\n'), /cannot be previewed exactly/, what);
    t.regex(r.errors.join('\n'), message, what);
  }
});

test('goTemplate with missingkey=error, within the supported subset, is evaluated', (t) => {
  const path = 'argocd/applicationset-environments-manual.yaml';
  const set = editYaml(path, (o) => {
    o.spec.goTemplate = true;
    o.spec.goTemplateOptions = ['missingkey=error'];
    o.spec.template.metadata.name = 'mlflow-{{ .environment }}';
    o.spec.template.metadata.labels = { 'gen-gitops/environment': '{{ .environment }}' };
    o.spec.template.spec.source.path = '{{ .path.path }}/manifests';
    o.spec.template.spec.destination = { server: '{{ .destination.server }}', namespace: '{{ index .path.segments 1 | printf "%s" }}' };
  });
  const refused = previewTree({ files: tree({ [path]: set }), env: 'prod' });
  t.regex(refused.errors.join('\n'), /unsupported Go template construct/);

  const ok = editYaml(path, (o) => {
    o.spec.goTemplate = true;
    o.spec.goTemplateOptions = ['missingkey=error'];
    o.spec.template.metadata.name = 'mlflow-{{ .environment }}';
    o.spec.template.metadata.labels = { 'gen-gitops/environment': '{{ .environment }}' };
    o.spec.template.spec.source.path = '{{ .path.path }}/manifests';
    o.spec.template.spec.destination = { server: '{{ .destination.server }}', namespace: '{{ .destination.namespace }}' };
  });
  const r = previewTree({ files: tree({ [path]: ok }), env: 'prod' });
  t.deepEqual(r.errors, []);
  const app = apps(r)[0]!;
  t.is(app.metadata.name, 'mlflow-prod');
  t.is(app.spec.source.path, 'envs/prod/manifests');
  t.deepEqual(app.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'pgsql' });

  // missingkey=error: a typo is an error of the ApplicationSet, not an empty string.
  const typo = editYaml(path, (o) => {
    o.spec.goTemplate = true;
    o.spec.goTemplateOptions = ['missingkey=error'];
    o.spec.template.metadata.name = 'mlflow-{{ .enviroment }}';
  });
  const bad = previewTree({ files: tree({ [path]: typo }), env: 'prod' });
  t.regex(bad.errors.join('\n'), /fails to generate Applications .*map has no entry for key "enviroment"/);
});

test('without preserveResourcesOnDeletion ArgoCD adds the resources finalizer', (t) => {
  const path = 'argocd/applicationset-environments-manual.yaml';
  const r = previewTree({ files: tree({ [path]: editYaml(path, (o) => delete o.spec.syncPolicy) }), env: 'prod' });
  t.deepEqual(apps(r)[0]!.metadata.finalizers, ['resources-finalizer.argocd.argoproj.io']);
});

test('no config repo, no argocd/: clear errors', (t) => {
  t.regex(previewApplications({ repoRoot: join(repo, 'does-not-exist') }).errors[0]!, /no config repo at/);
  const r = previewTree({ files: new Map([['README.md', '# x\n']]) });
  t.regex(r.errors[0]!, /no ArgoCD objects/);
});

/**
 * The registry contract (generator/components): what each component declares
 * (settings, credentials, Secrets, images, namespaces, kinds) agrees with the
 * schema, the credential catalogue, the e2e image table and what the
 * environment chart really renders.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedNamespaces, synthEnvironment, type KubeObject } from '../generator/charts/environment.js';
import type { Component } from '../generator/components/component.js';
import { COMPONENTS, componentImages, componentKinds, CORE_SETTINGS, enabledComponents } from '../generator/components/registry.js';
import type { EnvironmentSpec } from '../generator/environment/types.js';
import { CREDENTIALS, credentialServer, credentialSource, isCredentialId, secretSpecs } from '../generator/secrets/credentials.js';
import { resolveImage } from './e2e/images.js';
import { envYaml, makeSource, projectRoot, specOf, worldOf } from './fixtures/secrets/env.js';

const stg = specOf(projectRoot, 'stg');
/** Both servers external: only MLflow is rendered. */
const external = (() => {
  const source = makeSource({
    ext: envYaml('ext', {
      secrets: 'provider: existing',
      postgres: 'postgres:\n  mode: external\n  host: db.example.com\n  port: 5432',
      minio: 'minio:\n  mode: external\n  endpoint: https://s3.example.com',
    }),
  });
  return specOf(source, 'ext');
})();

const render = (spec: EnvironmentSpec): KubeObject[] => synthEnvironment(spec, credentialSource({ environ: {} }), worldOf());
const byId = (id: string): Component => COMPONENTS.find((c) => c.id === id)!;

type PodTemplate = { spec?: { template?: { spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] } } } };
const imagesOf = (objects: KubeObject[]) =>
  new Set(
    objects.flatMap((o) => {
      const pod = (o as PodTemplate).spec?.template?.spec;
      return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].map((c) => c.image);
    }),
  );

test('component ids and settings are unique', (t) => {
  const ids = COMPONENTS.map((c) => c.id);
  t.deepEqual([...new Set(ids)], ids);
  const settings = [...CORE_SETTINGS, ...COMPONENTS.flatMap((c) => c.settings)];
  t.deepEqual([...new Set(settings)], settings);
  t.deepEqual(ids, ['postgres', 'object-store', 'mlflow']);
});

test('settings: every top-level schema property belongs to exactly one component or to the environment core', (t) => {
  const schema = JSON.parse(readFileSync(join(projectRoot, 'schemas', 'environment.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
  const properties = Object.keys(schema.properties).sort();
  for (const c of COMPONENTS) for (const key of c.settings) t.true(properties.includes(key), `${c.id}: ${key} is not a property of environment.schema.json`);
  t.deepEqual([...CORE_SETTINGS, ...COMPONENTS.flatMap((c) => c.settings)].sort(), properties);
});

test("credentials: known ids, exactly the ones each component's Secrets carry, and their union is CREDENTIALS", (t) => {
  const union = new Set<string>();
  for (const c of COMPONENTS) {
    t.true(c.enabled(stg), `${c.id} runs in stg`);
    const ids = c.credentials(stg);
    for (const id of ids) t.true(isCredentialId(id), `${c.id}: ${id}`);
    const carried = new Set(c.secrets(stg).flatMap((s) => s.entries.map((e) => e.credential)));
    t.deepEqual([...ids].sort(), [...carried].sort(), c.id);
    for (const id of ids) union.add(id);
  }
  t.deepEqual([...union].sort(), [...CREDENTIALS].sort());
});

test('credentials: each one is kept by at most one component, and an external server still answers', (t) => {
  for (const spec of [stg, external]) {
    for (const id of CREDENTIALS) {
      const answers = COMPONENTS.filter((c) => c.credentialServer?.(spec, id) !== undefined).map((c) => c.id);
      t.true(answers.length <= 1, `${id}: ${answers.join(', ')}`);
    }
  }
  t.like(credentialServer(external, 'postgresPassword'), { external: true, field: 'postgres.host' });
  t.like(credentialServer(external, 'minioRootPassword'), { external: true, field: 'minio.endpoint' });
  t.like(credentialServer(stg, 'postgresPassword'), { external: false, kind: 'StatefulSet', name: 'stg-postgres' });
  t.is(credentialServer(stg, 'flaskSecretKey'), undefined);
});

test("secretSpecs: the environment's own Secret first, then each server's in registry order", (t) => {
  t.deepEqual(
    secretSpecs(stg).map((s) => `${s.namespace}/${s.name}`),
    ['mlflow-stg/mlflow-secrets-stg', 'pgsql/stg-postgres-credentials', 'pgsql/minio-stg-credentials'],
  );
  t.deepEqual(
    secretSpecs(external).map((s) => `${s.namespace}/${s.name}`),
    ['mlflow-ext/mlflow-secrets-ext'],
  );
});

test('images: stg runs the MLflow, PostgreSQL and MinIO images, exactly those its pods name, and the e2e table knows each', (t) => {
  const images = componentImages(stg);
  t.deepEqual(byId('mlflow').images(stg), [stg.mlflow.image.ref]);
  t.deepEqual(byId('postgres').images(stg), [stg.postgres.embedded!.image.ref]);
  t.deepEqual(byId('object-store').images(stg), [stg.minio.embedded!.image.ref]);
  t.true(images.some((i) => i.startsWith('ghcr.io/mlflow/mlflow:')));
  t.true(images.some((i) => i.startsWith('postgres:')));
  t.true(images.some((i) => i.startsWith('quay.io/minio/minio:')));
  t.deepEqual([...imagesOf(render(stg))].sort(), [...images].sort());
  for (const image of images) t.notThrows(() => resolveImage(image), image);
});

test('kinds: the components declare exactly the namespaced kinds the rendered stg emits', (t) => {
  // stg's secret provider is `existing`: no Secret objects, so every namespaced kind is a component's.
  t.is(stg.secrets.provider, 'existing');
  const rendered = new Set(
    render(stg)
      .filter((o) => o.kind !== 'Namespace')
      .map((o) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`),
  );
  const declared = new Set(componentKinds(stg).map((k) => `${k.group}/${k.kind}`));
  t.deepEqual([...declared].sort(), [...rendered].sort());
});

test("namespaces: a component renders only into the environment's namespace and the ones it declares", (t) => {
  for (const spec of [stg, external]) {
    const allowed = new Set([spec.namespace, ...sharedNamespaces(spec)]);
    for (const o of render(spec)) {
      const ns = o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace!;
      t.true(allowed.has(ns), `${o.kind}/${o.metadata.name} in ${ns}`);
    }
  }
  t.deepEqual(sharedNamespaces(stg), ['pgsql']);
  t.deepEqual(sharedNamespaces(external), []);
});

test('a disabled component renders nothing and contributes no image, kind, Secret or namespace', (t) => {
  t.deepEqual(
    enabledComponents(external).map((c) => c.id),
    ['mlflow'],
  );
  const objects = render(external);
  t.false(objects.some((o) => o.kind === 'StatefulSet'));
  t.deepEqual(componentImages(external), [external.mlflow.image.ref]);
  t.deepEqual([...imagesOf(objects)], [external.mlflow.image.ref]);
  t.false(componentKinds(external).some((k) => k.kind === 'StatefulSet'));
});

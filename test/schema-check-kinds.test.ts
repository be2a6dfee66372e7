import test from 'ava';
import { checkManifests, knownKinds, schemaErrors } from '../generator/check/schema.js';
import { appProject, configMap, deployment, password, service, variant } from './helpers/schema-fixtures.js';

// ---------------------------------------------------------------------------
// metadata.name
// ---------------------------------------------------------------------------

test('objects without metadata.name are rejected', async (t) => {
  t.deepEqual(
    await schemaErrors(
      variant(configMap, (o) => {
        delete o.metadata.name;
      }),
    ),
    ['data/metadata must have required property name'],
  );
  t.deepEqual(
    await schemaErrors(
      variant(configMap, (o) => {
        delete o.metadata;
      }),
    ),
    ['data must have required property metadata'],
  );
  t.deepEqual(
    await schemaErrors(
      variant(configMap, (o) => {
        o.metadata.name = '';
      }),
    ),
    ['data/metadata/name must not be empty'],
  );
  // a CRD whose schema itself requires metadata: reported once, not twice
  t.deepEqual(
    await schemaErrors(
      variant(appProject, (o) => {
        delete o.metadata;
      }),
    ),
    ['data must have required property metadata'],
  );
  t.deepEqual(
    await schemaErrors(
      variant(configMap, (o) => {
        o.metadata.name = 7;
      }),
    ),
    ['data/metadata/name must be string'],
  );
});

// ---------------------------------------------------------------------------
// Unknown / wrong versions
// ---------------------------------------------------------------------------

test('unknown kind is reported, never silently passes', async (t) => {
  const errors = await schemaErrors({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
  });
  t.is(errors.length, 1);
  t.regex(errors[0]!, /no schema is known for apiVersion "example\.com\/v1" kind "Widget"/);
});

test('unknown kind in a known apiVersion is reported', async (t) => {
  const errors = await schemaErrors({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } });
  t.is(errors.length, 1);
  t.regex(errors[0]!, /no schema is known for apiVersion "apps\/v1" kind "Deploymnet"/);
});

test('objects are validated against the version they declare (no fallback to another version)', async (t) => {
  for (const [apiVersion, kind] of [
    ['external-secrets.io/v1beta1', 'ExternalSecret'],
    ['policy/v1beta1', 'PodDisruptionBudget'],
    ['apps/v1beta2', 'Deployment'],
    ['batch/v1beta1', 'CronJob'],
    ['generators.external-secrets.io/v1', 'Password'],
  ] as const) {
    const errors = await schemaErrors({ apiVersion, kind, metadata: { name: 'x' } });
    t.is(errors.length, 1, `${apiVersion}/${kind}`);
    t.true(errors[0]!.startsWith(`no schema is known for apiVersion "${apiVersion}"`), errors[0]);
  }
});

test('missing apiVersion/kind is reported', async (t) => {
  const errors = await schemaErrors({ metadata: { name: 'x' } });
  t.true(errors.some((e) => e.includes('apiVersion')));
  t.true(errors.some((e) => e.includes('kind')));
});

// ---------------------------------------------------------------------------
// knownKinds / checkManifests
// ---------------------------------------------------------------------------

test('knownKinds lists the supported apiVersion/kind pairs', (t) => {
  const kinds = knownKinds();
  for (const k of [
    'v1/ConfigMap',
    'v1/Secret',
    'v1/Service',
    'v1/Namespace',
    'v1/PersistentVolumeClaim',
    'apps/v1/Deployment',
    'apps/v1/StatefulSet',
    'batch/v1/Job',
    'policy/v1/PodDisruptionBudget',
    'rbac.authorization.k8s.io/v1/RoleBinding',
    'networking.k8s.io/v1/NetworkPolicy',
    'argoproj.io/v1alpha1/AppProject',
    'argoproj.io/v1alpha1/ApplicationSet',
    'bitnami.com/v1alpha1/SealedSecret',
    'external-secrets.io/v1/ExternalSecret',
    'generators.external-secrets.io/v1alpha1/Password',
  ]) {
    t.true(kinds.includes(k), k);
  }
  t.deepEqual(kinds, [...kinds].sort());
  t.is(new Set(kinds).size, kinds.length);
});

test('checkManifests returns only the failing items, in order, with their paths', async (t) => {
  const items = [
    { path: 'envs/dev-1/deployment.yaml', object: deployment() },
    {
      path: 'envs/dev-1/service.yaml',
      object: variant(service, (o) => {
        o.spec.ports[0].port = 'abc';
      }),
    },
    { path: 'envs/dev-1/configmap.yaml', object: configMap() },
    { path: 'envs/dev-1/widget.yaml', object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } },
    { path: 'envs/dev-1/password.yaml', object: password() },
  ];
  const result = await checkManifests(items);
  t.deepEqual(
    result.map((r) => r.path),
    ['envs/dev-1/service.yaml', 'envs/dev-1/widget.yaml'],
  );
  t.deepEqual(result[0]!.errors, ['data/spec/ports/0/port must be integer']);
  t.regex(result[1]!.errors[0]!, /no schema is known/);
  t.deepEqual(await checkManifests([]), []);
});

test('every knownKinds entry resolves to a model of exactly that apiVersion/kind', async (t) => {
  for (const k of knownKinds()) {
    const i = k.lastIndexOf('/');
    const errors = await schemaErrors({ apiVersion: k.slice(0, i), kind: k.slice(i + 1), metadata: { name: 'x' } });
    // minimal objects may miss required spec fields, but must not be "unknown" or crash
    t.false(
      errors.some((e) => e.includes('no schema is known') || e.includes('validation failed')),
      `${k}: ${errors.join('; ')}`,
    );
  }
});

test('documented limitation: unknown fields are not rejected by kubernetes-models schemas', async (t) => {
  // No generated validator uses additionalProperties:false, so typos pass.
  // If this starts failing after an upgrade, the schemas became strict: update the docs in schema.ts.
  t.deepEqual(
    await schemaErrors(
      variant(deployment, (o) => {
        o.spec.replica = 3;
      }),
    ),
    [],
  );
});

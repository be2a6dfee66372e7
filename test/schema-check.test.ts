import test from 'ava';
import { loadedModuleCount, schemaErrors } from '../generator/check/schema.js';
import {
  applicationSet,
  appProject,
  configMap,
  deployment,
  externalSecret,
  job,
  password,
  pdb,
  podSpec,
  pvc,
  sealedSecret,
  service,
  statefulSet,
  VALID,
  variant,
} from './helpers/schema-fixtures.js';

// ---------------------------------------------------------------------------
// Module cache (serial: ava runs serial tests before the concurrent ones, so
// no other test imports these kinds first)
// ---------------------------------------------------------------------------

test.serial("a kind's model module is imported once and then reused", async (t) => {
  const cron = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cleanup' },
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: podSpec } } } },
  };
  const before = loadedModuleCount();
  t.deepEqual(await schemaErrors(cron), []);
  const afterFirst = loadedModuleCount();
  t.is(afterFirst, before + 1);

  const bad = structuredClone(cron) as any;
  bad.spec.schedule = 5;
  t.deepEqual(await schemaErrors(bad), ['data/spec/schedule must be string']);
  t.deepEqual(await schemaErrors(cron), []);
  t.is(loadedModuleCount(), afterFirst, 'no new module for an already-seen kind');
});

test.serial('concurrent first uses of a kind share one import', async (t) => {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
  };
  const before = loadedModuleCount();
  const results = await Promise.all(Array.from({ length: 10 }, () => schemaErrors(role)));
  t.true(results.every((r) => r.length === 0));
  t.is(loadedModuleCount(), before + 1);
});

// ---------------------------------------------------------------------------
// Valid objects pass
// ---------------------------------------------------------------------------

for (const [name, make] of Object.entries(VALID)) {
  test(`valid ${name} passes`, async (t) => {
    t.deepEqual(await schemaErrors(make()), []);
  });
}

test('int-or-string fields accept both ints and strings', async (t) => {
  t.deepEqual(
    await schemaErrors(
      variant(pdb, (o) => {
        o.spec.minAvailable = 1;
      }),
    ),
    [],
  );
  t.deepEqual(
    await schemaErrors(
      variant(deployment, (o) => {
        o.spec.strategy.rollingUpdate = { maxSurge: 1, maxUnavailable: '10%' };
      }),
    ),
    [],
  );
});

test('validation does not mutate the input', async (t) => {
  const o = deployment();
  const copy = structuredClone(o);
  await schemaErrors(o);
  t.deepEqual(o, copy);
});

// ---------------------------------------------------------------------------
// Invalid objects fail, naming the field
// ---------------------------------------------------------------------------

test("Service port given as string 'abc'", async (t) => {
  const errors = await schemaErrors(
    variant(service, (o) => {
      o.spec.ports[0].port = 'abc';
    }),
  );
  t.deepEqual(errors, ['data/spec/ports/0/port must be integer']);
});

test('Service targetPort that is neither int nor string reports the oneOf', async (t) => {
  const errors = await schemaErrors(
    variant(service, (o) => {
      o.spec.ports[1].targetPort = true;
    }),
  );
  t.true(errors.includes('data/spec/ports/1/targetPort must be string'));
  t.true(errors.includes('data/spec/ports/1/targetPort must be integer'));
  t.true(errors.some((e) => e.startsWith('data/spec/ports/1/targetPort must match exactly one schema')));
});

test('container without name', async (t) => {
  const errors = await schemaErrors(
    variant(deployment, (o) => {
      delete o.spec.template.spec.containers[0].name;
    }),
  );
  t.deepEqual(errors, ['data/spec/template/spec/containers/0 must have required property name']);
});

test('Deployment missing selector', async (t) => {
  const errors = await schemaErrors(
    variant(deployment, (o) => {
      delete o.spec.selector;
    }),
  );
  t.deepEqual(errors, ['data/spec must have required property selector']);
});

test('Deployment replicas as string', async (t) => {
  const errors = await schemaErrors(
    variant(deployment, (o) => {
      o.spec.replicas = '2';
    }),
  );
  t.deepEqual(errors, ['data/spec/replicas must be integer']);
});

test('bad quantity in PVC storage request', async (t) => {
  const errors = await schemaErrors(
    variant(pvc, (o) => {
      o.spec.resources.requests.storage = 'twenty gigs';
    }),
  );
  t.true(
    errors.some((e) => e.startsWith('data/spec/resources/requests/storage must match format')),
    errors.join('\n'),
  );
});

test('ConfigMap data values must be strings', async (t) => {
  const errors = await schemaErrors(
    variant(configMap, (o) => {
      o.data.PORT = 5000;
    }),
  );
  t.deepEqual(errors, ['data/data/PORT must be string']);
});

test('StatefulSet volumeMount missing mountPath', async (t) => {
  const errors = await schemaErrors(
    variant(statefulSet, (o) => {
      delete o.spec.template.spec.containers[0].volumeMounts[0].mountPath;
    }),
  );
  t.deepEqual(errors, ['data/spec/template/spec/containers/0/volumeMounts/0 must have required property mountPath']);
});

test('Job without template', async (t) => {
  const errors = await schemaErrors(
    variant(job, (o) => {
      delete o.spec.template;
    }),
  );
  t.deepEqual(errors, ['data/spec must have required property template']);
});

test('PodDisruptionBudget minAvailable as boolean', async (t) => {
  const errors = await schemaErrors(
    variant(pdb, (o) => {
      o.spec.minAvailable = false;
    }),
  );
  t.true(errors.includes('data/spec/minAvailable must be string'));
  t.true(errors.includes('data/spec/minAvailable must be integer'));
});

test('ApplicationSet with spec.template missing', async (t) => {
  const errors = await schemaErrors(
    variant(applicationSet, (o) => {
      delete o.spec.template;
    }),
  );
  t.deepEqual(errors, ['data/spec must have required property template']);
});

test('ApplicationSet template.spec missing destination', async (t) => {
  const errors = await schemaErrors(
    variant(applicationSet, (o) => {
      delete o.spec.template.spec.destination;
    }),
  );
  t.deepEqual(errors, ['data/spec/template/spec must have required property destination']);
});

test('AppProject sourceRepos not an array', async (t) => {
  const errors = await schemaErrors(
    variant(appProject, (o) => {
      o.spec.sourceRepos = '*';
    }),
  );
  t.deepEqual(errors, ['data/spec/sourceRepos must be array']);
});

test('SealedSecret without encryptedData', async (t) => {
  const errors = await schemaErrors(
    variant(sealedSecret, (o) => {
      delete o.spec.encryptedData;
    }),
  );
  t.deepEqual(errors, ['data/spec must have required property encryptedData']);
});

test('ExternalSecret with wrong types', async (t) => {
  const errors = await schemaErrors(
    variant(externalSecret, (o) => {
      o.spec.refreshInterval = 3600;
      o.spec.target.creationPolicy = 'Always';
      o.spec.data[0].remoteRef.key = 42;
    }),
  );
  t.true(errors.includes('data/spec/refreshInterval must be string'), errors.join('\n'));
  t.true(
    errors.some((e) => e.startsWith('data/spec/target/creationPolicy must be equal to one of the allowed values')),
    errors.join('\n'),
  );
  t.true(errors.includes('data/spec/data/0/remoteRef/key must be string'), errors.join('\n'));
});

test('Password generator length as string, and required fields', async (t) => {
  t.deepEqual(
    await schemaErrors(
      variant(password, (o) => {
        o.spec.length = '32';
      }),
    ),
    ['data/spec/length must be integer'],
  );
  // allowRepeat/noUpper/length are `required` in the schema (no defaulting is applied)
  t.deepEqual(
    await schemaErrors(
      variant(password, (o) => {
        delete o.spec.allowRepeat;
      }),
    ),
    ['data/spec must have required property allowRepeat'],
  );
});

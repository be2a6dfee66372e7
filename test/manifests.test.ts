import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../generator/charts/environment.js';
import { LAUNCHER } from '../generator/charts/launcher.js';
import { schemaErrors } from '../generator/check/schema.js';
import { find, objectsOf, renderShipped } from './helpers/render.js';

type Any = any;

const SEED = [
  { env: 'dev', nodePort: 30502, pgPort: 5434 },
  { env: 'stg', nodePort: 30501, pgPort: 5433 },
  { env: 'prod', nodePort: 30500, pgPort: 5432 },
] as const;

const rendered = renderShipped();

const podSpecs = (objects: KubeObject[]) =>
  objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).map((o) => ({ o, pod: (o as Any).spec.template.spec, meta: (o as Any).spec.template.metadata }));

const containerOf = (o: KubeObject, name?: string): Any => {
  const cs = (o as Any).spec.template.spec.containers as Any[];
  return name ? cs.find((c) => c.name === name) : cs[0];
};

const envVar = (c: Any, name: string): Any => (c.env as Any[]).find((e) => e.name === name);

test('every rendered object validates against its Kubernetes OpenAPI schema', async (t) => {
  const r = await rendered;
  t.true(r.objects.length > 30);
  for (const { path, object } of r.objects) {
    t.deepEqual(await schemaErrors(object), [], path);
  }
});

for (const seed of SEED) {
  test(`${seed.env}: MLflow Service is a NodePort on ${seed.nodePort} selecting the MLflow pods by name and instance`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    const svc = find(objects, 'Service', 'mlflow') as Any;
    t.is(svc.metadata.namespace, `mlflow-${seed.env}`);
    t.is(svc.spec.type, 'NodePort');
    t.deepEqual(svc.spec.ports, [{ name: 'http', nodePort: seed.nodePort, port: 5000, targetPort: 5000 }]);
    t.deepEqual(svc.spec.selector, { 'app.kubernetes.io/instance': `mlflow-${seed.env}`, 'app.kubernetes.io/name': 'mlflow' });
    const deploy = find(objects, 'Deployment', 'mlflow') as Any;
    for (const [k, v] of Object.entries(svc.spec.selector)) t.is(deploy.spec.template.metadata.labels[k], v);
    t.deepEqual(deploy.spec.selector.matchLabels, svc.spec.selector);
    // No other pod in the namespace may be selected by the MLflow Service (e.g. the migration Job).
    for (const { o, meta } of podSpecs(objects)) {
      if (o === deploy || o.metadata.namespace !== svc.metadata.namespace) continue;
      t.false(
        Object.entries(svc.spec.selector).every(([k, v]) => meta.labels?.[k] === v),
        `${o.kind} ${o.metadata.name} matches the Service selector`,
      );
    }
  });

  test(`${seed.env}: ConfigMap mlflow-config-${seed.env} points at PostgreSQL :${seed.pgPort} and MinIO in pgsql`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    const cm = find(objects, 'ConfigMap', `mlflow-config-${seed.env}`) as Any;
    t.is(cm.metadata.namespace, `mlflow-${seed.env}`);
    t.is(cm.data.MLFLOW_DB_HOST, `${seed.env}-postgres.pgsql.svc.cluster.local`);
    t.is(cm.data.MLFLOW_DB_PORT, String(seed.pgPort));
    t.is(cm.data.MLFLOW_S3_ENDPOINT_URL, `http://minio-${seed.env}.pgsql.svc.cluster.local:9000`);
    t.is(cm.data.MLFLOW_ARTIFACTS_DESTINATION, 's3://mlflow/');
    t.is(cm.data.MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE, 'path');
    t.is(cm.data.AWS_DEFAULT_REGION, 'us-east-1');
    t.not(cm.data.MLFLOW_DB_NAME, cm.data.MLFLOW_AUTH_DB_NAME, 'basic auth needs its own database');
    const hosts = String(cm.data.MLFLOW_SERVER_ALLOWED_HOSTS).split(',');
    for (const h of [`mlflow.mlflow-${seed.env}.svc.cluster.local`, `mlflow.mlflow-${seed.env}.svc.cluster.local:5000`, 'mlflow', 'mlflow:5000', `localhost:${seed.nodePort}`])
      t.true(hosts.includes(h), h);
    // issue 13.3: port-forward (localhost:5000) works, and no wildcard switches DNS-rebinding protection off.
    t.true(hosts.includes('localhost:5000') && hosts.includes('127.0.0.1:5000'));
    t.false(
      hosts.some((h) => h.includes('*')),
      hosts.join(','),
    );
    const origins = String(cm.data.MLFLOW_SERVER_CORS_ALLOWED_ORIGINS).split(',');
    t.deepEqual(
      origins,
      hosts.map((h) => `http://${h}`),
    );
    // Nothing secret in a ConfigMap.
    t.false(Object.keys(cm.data).some((k) => /PASSWORD|SECRET_ACCESS|SECRET_KEY/.test(k)));
  });

  test(`${seed.env}: mlflow server runs with proxied artifacts, PostgreSQL backend and basic auth`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    const c = containerOf(find(objects, 'Deployment', 'mlflow'));
    t.true(String(c.image).endsWith('-full'), 'image must carry psycopg2 and boto3');
    const args: string[] = c.args;
    t.deepEqual(args.slice(0, 2), ['mlflow', 'server']);
    const flag = (f: string) => args[args.indexOf(f) + 1];
    t.is(flag('--host'), '0.0.0.0');
    t.is(flag('--port'), '5000');
    // issue 13.8: the URI (password included) reaches mlflow through MLFLOW_BACKEND_STORE_URI, not argv.
    t.false(args.includes('--backend-store-uri'));
    t.false(args.some((a) => a.includes('@') || a.includes('postgresql')));
    t.true(args.includes('--serve-artifacts'));
    t.is(flag('--artifacts-destination'), 's3://mlflow/');
    t.is(flag('--app-name'), 'basic-auth');
    t.false(args.includes('--default-artifact-root'));
    t.deepEqual(c.command, ['python', '/opt/gen-gitops/launch.py']);
    // Secrets come from the Secret by reference, never inline.
    for (const [name, key] of [
      ['MLFLOW_DB_PASSWORD', 'MLFLOW_DB_PASSWORD'],
      ['AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY_ID'],
      ['AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_ACCESS_KEY'],
      ['MLFLOW_FLASK_SERVER_SECRET_KEY', 'MLFLOW_FLASK_SERVER_SECRET_KEY'],
      ['MLFLOW_AUTH_ADMIN_PASSWORD', 'MLFLOW_AUTH_ADMIN_PASSWORD'],
    ]) {
      t.deepEqual(envVar(c, name!).valueFrom, { secretKeyRef: { key, name: `mlflow-secrets-${seed.env}` } }, name);
    }
    for (const name of ['MLFLOW_S3_ENDPOINT_URL', 'AWS_DEFAULT_REGION', 'MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE', 'MLFLOW_SERVER_ALLOWED_HOSTS']) {
      t.deepEqual(envVar(c, name).valueFrom, { configMapKeyRef: { key: name, name: `mlflow-config-${seed.env}` } }, name);
    }
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      t.deepEqual(c[probe].httpGet, { path: '/health', port: 5000, scheme: 'HTTP' }, probe);
    }
    t.truthy(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory);
  });

  test(`${seed.env}: every container satisfies Pod Security "restricted" with a writable /tmp only`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    const pods = podSpecs(objects);
    t.is(pods.length, 5, 'mlflow, postgres, minio, migration job, bucket job');
    for (const { o, pod } of pods) {
      const where = `${o.kind}/${o.metadata.name}`;
      t.is(pod.securityContext.runAsNonRoot, true, where);
      t.is(pod.securityContext.seccompProfile.type, 'RuntimeDefault', where);
      t.is(pod.automountServiceAccountToken, false, where);
      for (const c of pod.containers as Any[]) {
        const sc = c.securityContext;
        t.true(Number.isInteger(sc.runAsUser) && sc.runAsUser > 0, `${where} numeric non-root user`);
        t.is(sc.runAsNonRoot, true, where);
        t.is(sc.allowPrivilegeEscalation, false, where);
        t.deepEqual(sc.capabilities, { drop: ['ALL'] }, where);
        t.is(sc.seccompProfile.type, 'RuntimeDefault', where);
        t.is(sc.readOnlyRootFilesystem, true, where);
        const tmp = (c.volumeMounts as Any[]).find((m) => m.mountPath === '/tmp');
        t.truthy(tmp, `${where} has /tmp`);
        t.deepEqual((pod.volumes as Any[]).find((v) => v.name === tmp.name).emptyDir, {}, `${where} /tmp is an emptyDir`);
        t.truthy(c.resources?.limits?.memory, `${where} has limits`);
      }
    }
  });

  test(`${seed.env}: embedded PostgreSQL serves :${seed.pgPort} with pg_isready probes and data in a PVC subdirectory`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    const name = `${seed.env}-postgres`;
    const svc = find(objects, 'Service', name) as Any;
    t.is(svc.metadata.namespace, 'pgsql');
    t.deepEqual(svc.spec.ports, [{ name: 'postgresql', port: seed.pgPort, targetPort: 5432 }]);
    const set = find(objects, 'StatefulSet', name) as Any;
    t.is(set.spec.serviceName, `${name}-headless`);
    t.deepEqual(set.spec.selector.matchLabels, svc.spec.selector);
    const headless = find(objects, 'Service', `${name}-headless`) as Any;
    t.is(headless.spec.clusterIP, 'None');
    t.deepEqual(headless.spec.selector, svc.spec.selector);
    const c = containerOf(set);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) t.is(c[probe].exec.command[0], 'pg_isready', probe);
    const pgdata = envVar(c, 'PGDATA').value as string;
    const dataMount = (c.volumeMounts as Any[]).find((m) => m.name === 'data').mountPath as string;
    t.true(pgdata.startsWith(`${dataMount}/`), 'PGDATA is a subdirectory of the volume');
    t.deepEqual(envVar(c, 'POSTGRES_PASSWORD').valueFrom, { secretKeyRef: { key: 'POSTGRES_PASSWORD', name: `${name}-credentials` } });
    t.is(set.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '10Gi');
  });

  test(`${seed.env}: embedded MinIO with health probes and a private bucket created by a Sync-hook Job`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    const name = `minio-${seed.env}`;
    const svc = find(objects, 'Service', name) as Any;
    t.is(svc.metadata.namespace, 'pgsql');
    t.is(svc.spec.ports.find((p: Any) => p.name === 'api').port, 9000);
    const c = containerOf(find(objects, 'StatefulSet', name));
    t.is(c.livenessProbe.httpGet.path, '/minio/health/live');
    t.is(c.readinessProbe.httpGet.path, '/minio/health/ready');
    // issue 13.6: the bucket is created by the MLflow image with boto3, credentials only in env
    // (mc took them in a URL and broke on ':', '@' and '/').
    const job = find(objects, 'Job', `mlflow-${seed.env}-bucket-setup`) as Any;
    t.is(job.metadata.namespace, `mlflow-${seed.env}`);
    const jc = containerOf(job);
    t.deepEqual([...jc.command, ...jc.args], ['python', '/opt/gen-gitops/launch.py', '--create-bucket']);
    t.is(jc.image, containerOf(find(objects, 'Deployment', 'mlflow')).image);
    t.false(JSON.stringify(jc).includes('anonymous'));
    t.false(JSON.stringify(jc).includes('$('), 'no credential composed into a value');
    const names = (jc.env as Any[]).map((e) => e.name);
    for (const n of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'MLFLOW_S3_ENDPOINT_URL', 'MLFLOW_ARTIFACTS_DESTINATION']) t.true(names.includes(n), n);
    t.is(job.metadata.annotations['argocd.argoproj.io/hook'], 'Sync');
    t.is(job.metadata.annotations['argocd.argoproj.io/hook-delete-policy'], 'BeforeHookCreation');
  });

  test(`${seed.env}: sync waves put namespaces, config, databases, jobs and MLflow in that order`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    const wave = (kind: string, name: string) => Number((find(objects, kind, name).metadata.annotations ?? {})['argocd.argoproj.io/sync-wave']);
    const ns = wave('Namespace', `mlflow-${seed.env}`);
    const config = wave('ConfigMap', `mlflow-config-${seed.env}`);
    const db = wave('StatefulSet', `${seed.env}-postgres`);
    const minio = wave('StatefulSet', `minio-${seed.env}`);
    const migrate = wave('Job', `mlflow-${seed.env}-db-upgrade`);
    const bucket = wave('Job', `mlflow-${seed.env}-bucket-setup`);
    const server = wave('Deployment', 'mlflow');
    t.true(ns < config && config < db && db === minio && minio < migrate && migrate === bucket && bucket < server, JSON.stringify({ ns, config, db, migrate, server }));
    const job = find(objects, 'Job', `mlflow-${seed.env}-db-upgrade`) as Any;
    t.is(job.metadata.annotations['argocd.argoproj.io/hook'], 'Sync', 'a PreSync hook would run before the database exists');
    // issue 13.2/13.8: the launcher migrates in-process (empty database included), no URI in argv.
    t.deepEqual(containerOf(job).args, ['--migrate']);
  });

  test(`${seed.env}: recommended labels on every object, selectors on name and instance only`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    for (const o of objects) {
      const labels = o.metadata.labels ?? {};
      t.is(labels['app.kubernetes.io/managed-by'], 'gen-gitops', `${o.kind}/${o.metadata.name}`);
      t.is(labels['app.kubernetes.io/part-of'], 'mlflow-platform');
      if (o.kind === 'Namespace') continue;
      for (const k of ['name', 'instance', 'component']) t.truthy(labels[`app.kubernetes.io/${k}`], `${o.kind}/${o.metadata.name} ${k}`);
      const sel = (o as Any).spec?.selector;
      const match = o.kind === 'Service' ? sel : sel?.matchLabels;
      if (match) t.deepEqual(Object.keys(match).sort(), ['app.kubernetes.io/instance', 'app.kubernetes.io/name'], `${o.kind}/${o.metadata.name}`);
    }
    for (const kind of ['Deployment', 'StatefulSet']) {
      for (const o of objects.filter((x) => x.kind === kind)) t.truthy(o.metadata.labels?.['app.kubernetes.io/version'], `${kind}/${o.metadata.name} version`);
    }
  });

  test(`${seed.env}: every ConfigMap key and Secret a pod reads exists`, async (t) => {
    const objects = objectsOf(await rendered, seed.env);
    const cm = find(objects, 'ConfigMap', `mlflow-config-${seed.env}`) as Any;
    const expectedSecrets = new Set([`mlflow-${seed.env}/mlflow-secrets-${seed.env}`, `pgsql/${seed.env}-postgres-credentials`, `pgsql/minio-${seed.env}-credentials`]);
    for (const { o, pod } of podSpecs(objects)) {
      for (const c of pod.containers as Any[]) {
        for (const e of (c.env ?? []) as Any[]) {
          const cmRef = e.valueFrom?.configMapKeyRef;
          if (cmRef) {
            t.is(cmRef.name, cm.metadata.name);
            t.is(o.metadata.namespace, cm.metadata.namespace, `${o.kind}/${o.metadata.name} reads a ConfigMap in its own namespace`);
            t.true(cmRef.key in cm.data, `${cmRef.key} in ConfigMap`);
          }
          const sRef = e.valueFrom?.secretKeyRef;
          if (sRef) t.true(expectedSecrets.has(`${o.metadata.namespace}/${sRef.name}`), `${o.metadata.namespace}/${sRef.name}`);
        }
      }
      for (const v of (pod.volumes ?? []) as Any[]) if (v.configMap) t.true(Object.keys(cm.data).includes(v.configMap.items[0].key));
    }
  });
}

test('the shared pgsql Namespace is owned by the cluster folder, never by an environment', async (t) => {
  const r = await rendered;
  const owners = r.objects.filter((o) => o.object.kind === 'Namespace' && o.object.metadata.name === 'pgsql').map((o) => o.path);
  t.deepEqual(owners, ['cluster-resources/in-cluster/manifests/namespace-pgsql.yaml']);
  const ns = r.objects.find((o) => o.path === owners[0])!.object;
  t.is(ns.metadata.annotations?.['argocd.argoproj.io/sync-options'], 'Delete=false');
  for (const env of ['dev', 'stg', 'prod']) t.truthy(objectsOf(r, env).find((o) => o.kind === 'Namespace' && o.metadata.name === `mlflow-${env}`));
});

test('rendering twice gives byte-identical files', async (t) => {
  const [a, b] = [await renderShipped(), await renderShipped()];
  t.deepEqual([...a.files.entries()], [...b.files.entries()]);
});

test('stg manifests snapshot', async (t) => {
  const r = await renderShipped(['stg']);
  t.snapshot(Object.fromEntries(r.files));
});

const python = spawnSync('python3', ['--version']).status === 0;

(python ? test : test.skip)('launcher percent-encodes the database password and escapes % in the auth config (python3)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
  writeFileSync(join(dir, 'launch.py'), LAUNCHER);
  const script = [
    'import sys, configparser; sys.path.insert(0, sys.argv[1]); import launch',
    'print(launch.uri("mlflow"))',
    'launch.write_auth_config(sys.argv[1] + "/auth.ini")',
    'c = configparser.ConfigParser(); c.read(sys.argv[1] + "/auth.ini")',
    'print(c["mlflow"]["admin_password"]); print(c["mlflow"]["database_uri"])',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script, dir], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      MLFLOW_DB_USER: 'mlflow',
      MLFLOW_DB_PASSWORD: 'p@ss:w/rd%20#?',
      MLFLOW_DB_HOST: 'stg-postgres.pgsql.svc.cluster.local',
      MLFLOW_DB_PORT: '5433',
      MLFLOW_DB_NAME: 'mlflow',
      MLFLOW_AUTH_DB_NAME: 'mlflow_auth',
      MLFLOW_AUTH_DEFAULT_PERMISSION: 'READ',
      MLFLOW_AUTH_ADMIN_USER: 'admin',
      MLFLOW_AUTH_ADMIN_PASSWORD: 'adm%n-password-long',
    },
  }).split('\n');
  t.is(out[0], 'postgresql+psycopg2://mlflow:p%40ss%3Aw%2Frd%2520%23%3F@stg-postgres.pgsql.svc.cluster.local:5433/mlflow');
  // MLflow reads the file with interpolation: the values must come back unchanged.
  t.is(out[1], 'adm%n-password-long');
  t.is(out[2], 'postgresql+psycopg2://mlflow:p%40ss%3Aw%2Frd%2520%23%3F@stg-postgres.pgsql.svc.cluster.local:5433/mlflow_auth');
});

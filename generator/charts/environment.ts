import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { EnvironmentSpec } from '../environment/types.js';
import type { CredentialSource } from '../secrets/credentials.js';
import type { SecretEnvironment } from '../secrets/provider.js';
import { secretSpecs } from '../secrets/credentials.js';
import { secretProvider } from '../secrets/index.js';
import { addMlflowConfigMap } from './config.js';
import { recommendedLabels, Wave, waveAnnotation } from './labels.js';
import { addEmbeddedMinio } from './minio.js';
import { addMlflow } from './mlflow.js';
import { addNamespace } from './namespace.js';
import { addEmbeddedPostgres } from './postgres.js';

/** A plain Kubernetes object as written to the config repo. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

function chart(app: App, id: string): Chart {
  // Stable names: no hash suffixes; nothing time-dependent is ever added.
  return new Chart(app, id, { disableResourceNameHashes: true });
}

/** Everything one environment owns: its namespace, config, secrets, databases and MLflow. */
export function synthEnvironment(spec: EnvironmentSpec, credentials: CredentialSource, world: SecretEnvironment): KubeObject[] {
  const app = new App({ outdir: '/nonexistent' });
  // One chart, one scope per part: cdk8s prepares (dependencies, validation) the
  // whole app each time a chart is synthesised, so one chart means doing that once.
  const env = chart(app, 'environment');
  const part = (id: string) => new Construct(env, id);
  addNamespace(part('namespace'), { name: spec.namespace, partOf: spec.partOf, shared: false });

  const configMap = addMlflowConfigMap(part('config'), spec);

  const secrets = part('secrets');
  const provider = secretProvider(spec.secrets.provider);
  for (const secret of secretSpecs(spec)) {
    provider.emit(secrets, secret, {
      spec,
      credentials,
      world,
      labels: (s) => recommendedLabels(spec, { name: s.app.name, instance: s.app.instance, component: 'credentials' }),
      annotations: waveAnnotation(Wave.config),
    });
  }

  if (spec.postgres.embedded) addEmbeddedPostgres(part('postgres'), spec, spec.postgres.embedded);
  if (spec.minio.embedded) addEmbeddedMinio(part('minio'), spec, spec.minio.embedded);
  addMlflow(part('mlflow'), spec, configMap);

  return env.toJson() as KubeObject[];
}

/**
 * Namespaces outside an environment's own (the seed's `pgsql`, holding every
 * environment's databases) belong to the cluster, not to one environment:
 * ArgoCD would otherwise report them shared between Applications and prune
 * them with whichever environment goes first.
 */
export function sharedNamespaces(spec: EnvironmentSpec): string[] {
  const ns = new Set<string>();
  if (spec.postgres.embedded) ns.add(spec.postgres.embedded.namespace);
  if (spec.minio.embedded) ns.add(spec.minio.embedded.namespace);
  ns.delete(spec.namespace);
  return [...ns].sort();
}

/** Objects of a cluster's shared folder, from every environment on that cluster. */
export function synthClusterResources(specs: EnvironmentSpec[]): KubeObject[] {
  const app = new App({ outdir: '/nonexistent' });
  const c = chart(app, 'cluster');
  const names = [...new Set(specs.flatMap(sharedNamespaces))].sort();
  for (const name of names) addNamespace(c, { name, partOf: specs[0]!.partOf, shared: true });
  return c.toJson() as KubeObject[];
}

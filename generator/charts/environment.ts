import { App, Chart } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Component } from '../components/component.js';
import { enabledComponents } from '../components/registry.js';
import type { EnvironmentSpec } from '../environment/types.js';
import type { CredentialSource } from '../secrets/credentials.js';
import type { SecretEnvironment } from '../secrets/provider.js';
import { secretSpecs } from '../secrets/credentials.js';
import { secretProvider } from '../secrets/index.js';
import { recommendedLabels, Wave, waveAnnotation } from './labels.js';
import { addNamespace } from './namespace.js';

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

/**
 * Everything one environment owns: its namespace, then each enabled
 * component's config objects, every Secret, then each component's workloads
 * (generator/components/registry.ts says which components and in what order).
 */
export function synthEnvironment(spec: EnvironmentSpec, credentials: CredentialSource, world: SecretEnvironment): KubeObject[] {
  const app = new App({ outdir: '/nonexistent' });
  // One chart, one scope per part: cdk8s prepares (dependencies, validation) the
  // whole app each time a chart is synthesised, so one chart means doing that once.
  const env = chart(app, 'environment');
  const part = (id: string) => new Construct(env, id);
  addNamespace(part('namespace'), { name: spec.namespace, partOf: spec.partOf, shared: false });

  const components = enabledComponents(spec);
  // Config objects before the Secrets, Secrets before the workloads: the order objects were always written in.
  const configs = new Map<Component, kplus.ConfigMap>();
  for (const c of components) if (c.renderConfig) configs.set(c, c.renderConfig(part(`${c.id}-config`), spec));

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

  for (const c of components) c.render(part(c.id), spec, { config: configs.get(c) });

  return env.toJson() as KubeObject[];
}

/**
 * Namespaces outside an environment's own (the seed's `pgsql`, holding every
 * environment's databases) belong to the cluster, not to one environment:
 * ArgoCD would otherwise report them shared between Applications and prune
 * them with whichever environment goes first.
 */
export function sharedNamespaces(spec: EnvironmentSpec): string[] {
  const ns = new Set(enabledComponents(spec).flatMap((c) => c.sharedNamespaces(spec)));
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

import type { EnvironmentSpec } from '../environment/types.js';
import type { Component, GroupKind } from './component.js';
import type { CredentialId, CredentialServer, SecretSpec } from './credential-catalogue.js';
import { mlflow } from './mlflow/index.js';
import { objectStore } from './object-store/index.js';
import { postgres } from './postgres/index.js';

/**
 * Every component, in render order: what a component uses comes before it
 * (MLflow after its database and object store), which is also the order of
 * the sync waves. One line per component.
 */
export const COMPONENTS = [postgres, objectStore, mlflow] as const satisfies readonly Component[];

export type ComponentId = (typeof COMPONENTS)[number]['id'];

/**
 * Environment-file keys (top-level schema properties) no component owns:
 * the environment itself, where it runs and how its Secrets come to exist.
 * With the components' `settings` they cover the schema exactly (test/components.test.ts).
 */
export const CORE_SETTINGS = ['name', 'production', 'namespace', 'cluster', 'argocd', 'allowPlaintextSecrets', 'secrets'] as const;

/** The components rendered in this environment, in registry order. */
export function enabledComponents(spec: EnvironmentSpec): Component[] {
  return COMPONENTS.filter((c) => c.enabled(spec));
}

/**
 * The Secrets the environment's workloads read. The environment's own Secret
 * (spec.secrets.secretName, read by its applications) comes first and each
 * server's credentials Secret after it, in registry order: the order Secrets
 * were always rendered in and carriers are listed in messages.
 */
export function componentSecrets(spec: EnvironmentSpec): SecretSpec[] {
  const all = enabledComponents(spec).flatMap((c) => c.secrets(spec));
  const own = (s: SecretSpec) => s.namespace === spec.namespace && s.name === spec.secrets.secretName;
  return [...all.filter(own), ...all.filter((s) => !own(s))];
}

/** The credentials the enabled components need (unordered: callers order by CREDENTIALS). */
export function componentCredentials(spec: EnvironmentSpec): Set<CredentialId> {
  return new Set(enabledComponents(spec).flatMap((c) => c.credentials(spec)));
}

/** Who keeps a credential: the first component that answers, enabled or not (an external server keeps its own). */
export function componentCredentialServer(spec: EnvironmentSpec, id: CredentialId): CredentialServer | undefined {
  for (const c of COMPONENTS) {
    const server = c.credentialServer?.(spec, id);
    if (server) return server;
  }
  return undefined;
}

/** Images the environment runs, in registry order, each once. */
export function componentImages(spec: EnvironmentSpec): string[] {
  return [...new Set(enabledComponents(spec).flatMap((c) => c.images(spec)))];
}

/** Namespaced kinds the environment renders besides its Secrets' (those depend on the secret provider). */
export function componentKinds(spec: EnvironmentSpec): GroupKind[] {
  return enabledComponents(spec).flatMap((c) => c.kinds);
}

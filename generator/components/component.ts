import type * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { EnvironmentSpec } from '../environment/types.js';
import type { CredentialId, CredentialServer, SecretSpec } from './credential-catalogue.js';

/** A Kubernetes kind as the AppProject names it (`group` '' is the core API group). */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** What the environment chart hands a component's render besides the spec. */
export interface ComponentContext {
  /**
   * The ConfigMap the component rendered in its config phase (renderConfig),
   * for the workloads that mount it and hash it into their pod templates.
   */
  readonly config?: kplus.ConfigMap;
}

/**
 * One part of an environment (MLflow, its database, its object store…): the
 * unit the environment chart renders and everything else (credentials,
 * AppProject kinds, shared namespaces, the e2e image table) is derived from.
 * A new part is one folder under generator/components/ and one line in
 * registry.ts.
 *
 * The environment chart calls a component's methods other than
 * credentialServer only when it is `enabled`. Its settings are resolved by
 * its folder's settings.ts, called from environment/resolve.ts (see there
 * why that call is not generic).
 */
export interface Component<Id extends string = string> {
  readonly id: Id;
  /** Environment-file keys (top-level schema properties) this component owns, e.g. ['mlflow'] / ['postgres'] / ['minio']. */
  readonly settings: readonly string[];
  /** Whether gen-gitops renders it in this environment (e.g. embedded PostgreSQL, not an external one). */
  enabled(spec: EnvironmentSpec): boolean;
  /**
   * Objects of the config wave (ConfigMaps), rendered before every
   * component's Secrets and workloads, as the objects were always ordered.
   * What it returns reaches render as `ctx.config`.
   */
  renderConfig?(scope: Construct, spec: EnvironmentSpec): kplus.ConfigMap;
  /** Renders its workloads and Services (scope = a Construct under the one environment Chart). */
  render(scope: Construct, spec: EnvironmentSpec, ctx: ComponentContext): void;
  /** The Secrets its workloads read; the environment's secret provider makes them exist. */
  secrets(spec: EnvironmentSpec): readonly SecretSpec[];
  /** Credentials it needs: exactly those its Secrets carry (the components test checks both agree). */
  credentials(spec: EnvironmentSpec): readonly CredentialId[];
  /**
   * Who keeps the credentials of the server this component stands for, asked
   * also when it is not enabled: an external server still holds its own
   * value. Undefined: not one of its credentials, or nothing keeps it.
   */
  credentialServer?(spec: EnvironmentSpec, id: CredentialId): CredentialServer | undefined;
  /** Container images it runs (for the e2e image table and the PR summary). */
  images(spec: EnvironmentSpec): readonly string[];
  /** Namespaces it renders into (the environment chart drops the environment's own): cluster-shared, so never pruned with one environment. */
  sharedNamespaces(spec: EnvironmentSpec): readonly string[];
  /** Namespaced Kubernetes kinds it renders, for the AppProject whitelist (Pods and claims are made by controllers, not ArgoCD). */
  readonly kinds: readonly GroupKind[];
}

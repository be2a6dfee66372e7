import type { Construct } from 'constructs';
import type { EnvironmentSpec, SecretProviderName } from '../environment/types.js';
import type { CredentialSource, SecretSpec } from './credentials.js';
import type { SourceLocation } from '../errors.js';

/** What providers may know about the world outside the render, injected at the edge. */
export interface SecretEnvironment {
  /** The object with this kind/namespace/name as the config repo holds it now (for no-churn sealing). */
  previous(kind: string, namespace: string, name: string): Record<string, unknown> | undefined;
  /**
   * Reads an input file (e.g. a Sealed Secrets certificate), bounded and
   * regular files only; `confined`: named by an environment file, so it must
   * lie inside the source repository. Throws InputFileError.
   */
  readFile(path: string, opts?: { confined: boolean }): string;
  /** Where a setting of an environment was written (file:line:col), for problems found while rendering. */
  locate?(env: string, pointer: string): SourceLocation | undefined;
  /** --reseal: encrypt again even where the kept value is still valid. */
  reseal: boolean;
  /** --sealed-secrets-cert: overrides every environment's certificate path. */
  sealedSecretsCert?: string;
  now: Date;
}

export interface SecretRenderContext {
  spec: EnvironmentSpec;
  credentials: CredentialSource;
  world: SecretEnvironment;
  /** Labels and annotations every emitted object carries. */
  labels(secret: SecretSpec): Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * Decides how a Secret comes to exist in the cluster: rendered (plain),
 * encrypted (sealed-secrets), fetched by a controller (external-secrets) or
 * created elsewhere (existing). Workloads always reference the Secret by
 * name, whatever the provider.
 */
export interface SecretProvider {
  readonly name: SecretProviderName;
  /** Adds the objects (if any) that make `secret` exist. */
  emit(scope: Construct, secret: SecretSpec, ctx: SecretRenderContext): void;
}

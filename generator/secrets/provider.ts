import type { Construct } from 'constructs';
import type { EnvironmentSpec, SecretProviderName } from '../environment/types.js';
import type { CredentialSource, SecretSpec } from './credentials.js';

export interface SecretRenderContext {
  spec: EnvironmentSpec;
  credentials: CredentialSource;
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

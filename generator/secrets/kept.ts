import type { EnvironmentSpec } from '../environment/types.js';
import { secretSpecs, type CredentialId } from './credentials.js';

/** An object as the config repo holds it now, by kind, namespace and name (ConfigRepoSnapshot.object). */
export type StoredObjectLookup = (kind: string, namespace: string, name: string) => Record<string, unknown> | undefined;

/**
 * Credential values a previous render already committed (plain Secrets
 * only). Keeping them is what stops a re-render from changing the password
 * of a running database. The Secrets come from the run's snapshot of the
 * config repo, parsed once for every reader.
 */
export function keptPlainCredentials(spec: EnvironmentSpec, stored: StoredObjectLookup): Map<CredentialId, string> {
  const kept = new Map<CredentialId, string>();
  for (const secret of secretSpecs(spec)) {
    const obj = stored('Secret', secret.namespace, secret.name) as { stringData?: Record<string, unknown>; data?: Record<string, unknown> } | undefined;
    if (!obj) continue;
    for (const e of secret.entries) {
      const s = obj.stringData?.[e.key];
      const d = obj.data?.[e.key];
      const value = typeof s === 'string' ? s : typeof d === 'string' ? Buffer.from(d, 'base64').toString('utf8') : undefined;
      if (value !== undefined && !kept.has(e.credential)) kept.set(e.credential, value);
    }
  }
  return kept;
}

import type { EnvironmentSpec } from '../environment/types.js';
import { Layout } from '../repo/layout.js';
import { secretSpecs, type CredentialId } from './credentials.js';

/**
 * An object as the config repo holds it now, by kind, namespace and name,
 * looked for in the file a render writes it to (ConfigRepoSnapshot.object).
 */
export type StoredObjectLookup = (kind: string, namespace: string, name: string, path: string) => Record<string, unknown> | undefined;

/**
 * Credential values a previous render already committed (plain Secrets
 * only). Keeping them is what stops a re-render from changing the password
 * of a running database. The Secrets come from the run's snapshot of the
 * config repo, parsed once for every reader.
 */
export function keptPlainCredentials(spec: EnvironmentSpec, stored: StoredObjectLookup): Map<CredentialId, string> {
  const kept = new Map<CredentialId, string>();
  const dir = Layout.envManifests(spec.name);
  for (const secret of secretSpecs(spec)) {
    // Where the render puts it when no other object of the folder shares its name (the only place looked at).
    const path = Layout.manifestFile(dir, { kind: 'Secret', metadata: { name: secret.name, namespace: secret.namespace } });
    const obj = stored('Secret', secret.namespace, secret.name, path) as { stringData?: Record<string, unknown>; data?: Record<string, unknown> } | undefined;
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

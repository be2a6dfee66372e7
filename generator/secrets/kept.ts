import type { EnvironmentSpec } from '../environment/types.js';
import { Layout } from '../repo/layout.js';
import { secretSpecs, type CredentialId } from './credentials.js';

/** The objects one config-repo file holds now, parsed (ConfigRepoSnapshot.objectsAt). */
export type StoredObjectsAt = (path: string) => readonly Record<string, unknown>[];

/**
 * Credential values a previous render already committed (plain Secrets
 * only). Keeping them is what stops a re-render from changing the password
 * of a running database. The Secrets come from the run's snapshot of the
 * config repo, parsed once for every reader.
 */
export function keptPlainCredentials(spec: EnvironmentSpec, objectsAt: StoredObjectsAt): Map<CredentialId, string> {
  const kept = new Map<CredentialId, string>();
  const dir = Layout.envManifests(spec.name);
  for (const secret of secretSpecs(spec)) {
    // Where the render puts it when no other object of the folder shares its name (the only place looked at).
    const path = Layout.manifestFile(dir, { kind: 'Secret', metadata: { name: secret.name, namespace: secret.namespace } });
    const obj = objectsAt(path).find((o) => {
      const meta = o.metadata as { name?: string; namespace?: string } | undefined;
      return o.kind === 'Secret' && meta?.name === secret.name && meta?.namespace === secret.namespace;
    }) as { stringData?: Record<string, unknown>; data?: Record<string, unknown> } | undefined;
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

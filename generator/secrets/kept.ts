import { parse } from 'yaml';
import type { EnvironmentSpec } from '../environment/types.js';
import { Layout } from '../repo/layout.js';
import { secretSpecs, type CredentialId } from './credentials.js';

/**
 * Credential values a previous render already committed (plain Secrets
 * only). Keeping them is what stops a re-render from changing the password
 * of a running database.
 */
export function keptPlainCredentials(spec: EnvironmentSpec, files: Map<string, string>, dir: string): Map<CredentialId, string> {
  const kept = new Map<CredentialId, string>();
  for (const secret of secretSpecs(spec)) {
    // Where the render puts it when no other object of the folder shares its name (the only place looked at).
    const path = Layout.manifestFile(dir, { kind: 'Secret', metadata: { name: secret.name, namespace: secret.namespace } });
    const text = files.get(path);
    if (text === undefined) continue;
    let obj: { kind?: string; metadata?: { name?: string; namespace?: string }; stringData?: Record<string, unknown>; data?: Record<string, unknown> };
    try {
      obj = parse(text) as typeof obj;
    } catch {
      continue;
    }
    if (obj?.kind !== 'Secret' || obj.metadata?.name !== secret.name || obj.metadata?.namespace !== secret.namespace) continue;
    for (const e of secret.entries) {
      const s = obj.stringData?.[e.key];
      const d = obj.data?.[e.key];
      const value = typeof s === 'string' ? s : typeof d === 'string' ? Buffer.from(d, 'base64').toString('utf8') : undefined;
      if (value !== undefined && !kept.has(e.credential)) kept.set(e.credential, value);
    }
  }
  return kept;
}

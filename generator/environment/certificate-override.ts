import { deepMerge, isPlainObject, type LoadedSources } from './load.js';

/**
 * `--sealed-secrets-cert <file>` supplies the Sealed Secrets certificate for
 * a run. Validation requires `secrets.sealedSecrets.certificate` of every
 * sealed-secrets environment (the schema and the semantic rules know nothing
 * of the command line), so an environment whose files name no certificate
 * takes the given one here, before validation: the run then validates and
 * renders with the certificate it was given, instead of refusing what the
 * option promises. Files that do name a certificate keep it in their
 * settings; sealing uses the override for them anyway (secrets/sealed.ts).
 * The loaded sources are not changed (they may be remembered by the parse
 * cache): environments that take the certificate get a copy of their value.
 */
export function withCertificateOverride(sources: LoadedSources, certificate: string | undefined): LoadedSources {
  if (certificate === undefined) return sources;
  let changed = false;
  const environments = sources.environments.map((env) => {
    const raw = env.source.value;
    if (!isPlainObject(raw)) return env;
    const merged = deepMerge(sources.defaults.environment, raw);
    const secrets = isPlainObject(merged) ? merged.secrets : undefined;
    if (!isPlainObject(secrets) || secrets.provider !== 'sealed-secrets') return env;
    const sealed = secrets.sealedSecrets;
    // Something other than a mapping there is the schema's to report, as written.
    if (sealed !== undefined && !isPlainObject(sealed)) return env;
    if (sealed?.certificate !== undefined) return env;
    changed = true;
    const value = deepMerge(raw, { secrets: { sealedSecrets: { certificate } } });
    return { ...env, source: { ...env.source, value } };
  });
  return changed ? { ...sources, environments } : sources;
}

import { parseAllDocuments } from 'yaml';
import { postgresVolumeProblems } from '../check/postgres-volume.js';
import { checkManifests } from '../check/schema.js';
import { knownSecretsOf, secretGuardProblems } from '../check/secrets-guard.js';
import { environmentSpec } from '../environment/spec.js';
import { InputError } from '../errors.js';
import { MAX_INPUT_FILE_BYTES, readInputFile } from '../environment/input-file.js';
import { assetPath } from '../paths.js';
import { Layout } from '../repo/layout.js';
import { credentialSource, type CredentialId } from '../secrets/credentials.js';
import { keptPlainCredentials } from '../secrets/kept.js';
import type { SecretEnvironment } from '../secrets/provider.js';
import type { LoadedInput, SecretInputs } from '../run.js';
import { render, type RenderResult } from './render.js';

/**
 * Renders `input.selected` and checks every object against its Kubernetes
 * or CRD schema and every file against the secrets guard; throws an
 * InputError listing what fails. `previous`: the config repo's current
 * files of those environments (kept credentials and ciphertexts come from
 * there). `reusable`: folders taken as they are instead of rendered.
 */
export async function renderAndCheck(
  input: LoadedInput,
  previous: Map<string, string>,
  inputs: SecretInputs,
  reusable: Map<string, Map<string, string>> = new Map(),
  onFolder?: (dir: string, files: Map<string, string>, parameters?: [string, string]) => void,
): Promise<RenderResult> {
  const index = indexObjects(previous);
  const world: SecretEnvironment = {
    previous: (kind, namespace, name) => index().get(`${kind}/${namespace}/${name}`),
    // A certificate is a few kilobytes; an environment file may only name one inside the source repository.
    readFile: (path, opts) => readInputFile(path, { maxBytes: MAX_INPUT_FILE_BYTES, within: opts?.confined ? input.source : undefined }),
    locate: (env, pointer) => input.all.find((e) => e.name === env)?.locate(pointer),
    reseal: inputs.reseal === true,
    sealedSecretsCert: inputs.sealedSecretsCert,
    now: new Date(),
  };
  const kept = new Map<string, Map<CredentialId, string>>();
  const credentials = credentialSource({
    environ: inputs.environ,
    kept: (env, id) => {
      if (!kept.has(env)) {
        const v = input.all.find((e) => e.name === env)!;
        kept.set(env, keptPlainCredentials(environmentSpec(v), previous, Layout.envManifests(env)));
      }
      return kept.get(env)!.get(id);
    },
  });
  const configRepo = { ...input.defaults.configRepo, ...(inputs.repoUrl ? { url: inputs.repoUrl } : {}) };
  const result = render({
    all: input.all,
    selected: input.selected,
    credentials,
    secrets: () => world,
    argocd: { configRepo, applicationSetsDir: assetPath('applicationsets') },
    reuse: (spec) => reusable.get(spec.name),
    onFolder,
  });
  // Before the schema check: a refused PostgreSQL volume change is the user's to fix, whatever else fails.
  const byName = new Map(input.all.map((e) => [e.name, e]));
  const reused = new Set(result.reused);
  const volumes = postgresVolumeProblems(
    result.specs.filter((s) => !reused.has(s.name)).map((spec) => ({ env: byName.get(spec.name)!, spec })),
    previous,
    result.files,
  );
  if (volumes.length > 0) throw new InputError(volumes);
  const failures = await checkManifests(result.objects);
  if (failures.length > 0) {
    throw new InputError(
      failures.map((f) => ({ field: f.path, message: `fails its Kubernetes schema: ${f.errors.join('; ')}`, hint: 'this is a gen-gitops bug unless an environment value caused it; please report it' })),
    );
  }
  // Last line of defence before anything is written: no credential in plaintext where it is not allowed.
  // Reused folders were checked when their render was remembered; another environment's
  // supplied value may equal one they keep, which is no leak.
  const reusedDirs = new Set(result.reused.map(Layout.envManifests));
  const checkedFiles = reusedDirs.size === 0 ? result.files : new Map([...result.files].filter(([p]) => !reusedDirs.has(p.slice(0, p.lastIndexOf('/')))));
  const guard = secretGuardProblems(result.objects, result.specs, knownSecretsOf(credentials.handedOut()), checkedFiles);
  if (guard.length > 0) throw new InputError(guard);
  return result;
}

/** kind/namespace/name → object, over the config repo's current manifests; built on first use. */
function indexObjects(files: Map<string, string>): () => Map<string, Record<string, unknown>> {
  let index: Map<string, Record<string, unknown>> | undefined;
  return () => {
    if (!index) {
      index = new Map();
      for (const [path, text] of files) {
        if (!path.endsWith('.yaml')) continue;
        for (const doc of parseAllDocuments(text)) {
          if (!('toJS' in doc)) continue;
          const o = doc.toJS() as { kind?: string; metadata?: { namespace?: string; name?: string } } | null;
          if (o?.kind && o.metadata?.name) index.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o as Record<string, unknown>);
        }
      }
    }
    return index;
  };
}

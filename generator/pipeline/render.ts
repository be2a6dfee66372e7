import { readApplicationSetSources } from '../argocd/applicationsets.js';
import type { RenderCache } from '../cache/render-cache.js';
import { postgresVolumeProblems } from '../check/postgres-volume.js';
import { checkManifests } from '../check/schema.js';
import { knownSecretsOf, secretGuardProblems } from '../check/secrets-guard.js';
import { MAX_INPUT_FILE_BYTES, readInputFile } from '../environment/input-file.js';
import type { EnvironmentSpec } from '../environment/types.js';
import { InputError, UsageError } from '../errors.js';
import { assetPath } from '../paths.js';
import { render, type RenderedFolder, type RenderResult } from '../render/render.js';
import { Layout } from '../repo/layout.js';
import { credentialEnvVar, credentialSource, CREDENTIALS, suppliedCredentialProblems, type CredentialId } from '../secrets/credentials.js';
import { keptPlainCredentials } from '../secrets/kept.js';
import type { SecretEnvironment } from '../secrets/provider.js';
import { specNamed, specOf, type LoadedInput, type RenderInputs } from './input.js';
import type { ConfigRepoSnapshot } from './snapshot.js';

export interface RenderStepOptions {
  /** Remembered renders: environments whose folder they vouch for are taken as they are. */
  cache?: RenderCache;
  /** Each environment folder as soon as it is rendered (before any check: may be discarded). */
  onFolder?: (folder: RenderedFolder) => void;
}

/**
 * The render stage: renders `input.selected` against what the config repo
 * holds (`snapshot`: kept credentials, ciphertexts, the PostgreSQL volume a
 * change would replace), then checks every object against its Kubernetes or
 * CRD schema and every file against the secrets guard. Throws an InputError
 * listing what fails; writes nothing.
 */
export async function renderChecked(input: LoadedInput, snapshot: ConfigRepoSnapshot, inputs: RenderInputs, opts: RenderStepOptions = {}): Promise<RenderResult> {
  const supplied = suppliedCredentialProblems(inputs.environ, input.selected);
  if (supplied.length > 0) throw new InputError(supplied);
  if (inputs.sealedSecretsCert) {
    const clusters = new Set(input.all.filter((e) => input.selected.includes(e.name) && e.value.secrets.provider === 'sealed-secrets').map((e) => e.value.cluster.name));
    if (clusters.size > 1)
      throw new UsageError(
        `--sealed-secrets-cert names one controller certificate, but the selected sealed-secrets environments run on ${clusters.size} clusters (${[...clusters].join(', ')}); render them one cluster at a time`,
      );
  }
  const dirs = input.selected.map(Layout.envManifests);
  const previous = snapshot.folders(dirs);
  // Which environments a remembered render vouches for: their folders are taken as they are.
  const reusable = new Map<string, Map<string, string>>();
  if (opts.cache) {
    for (const name of input.selected) {
      const dir = Layout.envManifests(name);
      const folder = snapshot.folder(dir);
      if (folder.size === 0) continue;
      const spec = specNamed(input, name);
      if (renderReadsOnlyFolder(spec, inputs) && opts.cache.reproduces(name, opts.cache.key(spec, folder, dir))) reusable.set(name, folder);
    }
  }
  const world: SecretEnvironment = {
    previous: (kind, namespace, name) => snapshot.object(kind, namespace, name),
    // A certificate is a few kilobytes; an environment file may only name one inside the source repository.
    readFile: (path, o) => readInputFile(path, { maxBytes: MAX_INPUT_FILE_BYTES, within: o?.confined ? input.source : undefined }),
    locate: (env, pointer) => input.all.find((e) => e.name === env)?.locate(pointer),
    reseal: inputs.reseal === true,
    sealedSecretsCert: inputs.sealedSecretsCert,
    now: new Date(),
  };
  const kept = new Map<string, Map<CredentialId, string>>();
  const credentials = credentialSource({
    environ: inputs.environ,
    kept: (env, id) => {
      if (!kept.has(env))
        kept.set(
          env,
          keptPlainCredentials(specNamed(input, env), (path) => snapshot.objectsAt(path)),
        );
      return kept.get(env)!.get(id);
    },
  });
  const configRepo = { ...input.defaults.configRepo, ...(inputs.repoUrl ? { url: inputs.repoUrl } : {}) };
  const result = render({
    all: input.all,
    specs: input.all.map(specOf),
    selected: input.selected,
    credentials,
    secrets: () => world,
    argocd: { configRepo, applicationSets: readApplicationSetSources(assetPath('applicationsets')) },
    reuse: (spec) => reusable.get(spec.name),
    onFolder: opts.onFolder,
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
      failures.map((f) => ({
        field: f.path,
        message: `fails its Kubernetes schema: ${f.errors.join('; ')}`,
        hint: 'this is a gen-gitops bug unless an environment value caused it; please report it',
      })),
    );
  }
  // Last line of defence before anything is written: no credential in plaintext where it is not allowed.
  // Reused folders were checked when their render was remembered; another environment's
  // supplied value may equal one they keep, which is no leak.
  const reusedDirs = new Set(result.reused.map(Layout.envManifests));
  const checkedFiles = reusedDirs.size === 0 ? result.files : new Map([...result.files].filter(([p]) => !reusedDirs.has(p.slice(0, p.lastIndexOf('/')))));
  const guard = secretGuardProblems(result.objects, result.specs, knownSecretsOf(credentials.handedOut()), checkedFiles);
  if (guard.length > 0) throw new InputError(guard);
  // --all renders everything envs/ and cluster-resources/ should hold: what else is there goes (see planAgainst).
  return input.everything && input.selected.length === input.all.length ? { ...result, complete: { environments: input.all.map((e) => e.name) } } : result;
}

/**
 * Whether rendering this environment reads nothing but its resolved spec
 * and its own folder, so that a remembered render of the same two stands.
 * Sealed Secrets also read a certificate file and the clock (expiry), and
 * supplied credentials or --reseal are explicit requests for new values.
 */
function renderReadsOnlyFolder(spec: EnvironmentSpec, inputs: RenderInputs): boolean {
  if (spec.secrets.provider === 'sealed-secrets' || inputs.reseal === true) return false;
  return !CREDENTIALS.some((id) => (inputs.environ[credentialEnvVar(spec.name, id)] ?? '') !== '');
}

/**
 * Remembers the environments this run rendered whose folders now hold
 * exactly that render (after a commit, or when already up to date).
 */
export function rememberRenders(cache: RenderCache, rendered: RenderResult, inputs: RenderInputs): void {
  const reused = new Set(rendered.reused);
  for (const spec of rendered.specs) {
    if (reused.has(spec.name) || !renderReadsOnlyFolder(spec, inputs)) continue;
    const dir = Layout.envManifests(spec.name);
    cache.remember(spec.name, cache.key(spec, rendered.folders.get(dir)?.files ?? new Map(), dir));
  }
  cache.save();
}

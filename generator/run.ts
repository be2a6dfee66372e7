import { existsSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { join, resolve } from 'node:path';
import { checkManifests } from './check/schema.js';
import { listEnvironmentNames, loadSources, type LoadedDefaults } from './environment/load.js';
import { resolveEnvironment } from './environment/resolve.js';
import { validateSources, type ValidEnvironment } from './environment/validate.js';
import { InputError, UsageError, type InputProblem } from './errors.js';
import { packageVersion } from './paths.js';
import { unifiedDiff } from './render/diff.js';
import { planChanges, summarize, type GroupSummary, type Plan } from './render/plan.js';
import { render, type RenderResult } from './render/render.js';
import { renderTemplate } from './render/templates.js';
import { LocalConfigRepo, type Author } from './repo/git.js';
import { Layout } from './repo/layout.js';
import { readTree } from './repo/tree.js';
import { applyChanges, inverseChanges } from './repo/write.js';
import { credentialSource, type CredentialId } from './secrets/credentials.js';
import { keptPlainCredentials } from './secrets/kept.js';
import type { SecretEnvironment } from './secrets/provider.js';

export interface GenerateOptions {
  /** Source repository root (holds environments/). */
  source: string;
  /** Config repository working tree. */
  repo: string;
  envs: string[];
  all: boolean;
  dryRun: boolean;
  diff: boolean;
  check: boolean;
  author?: Author;
  environ: Record<string, string | undefined>;
  reseal?: boolean;
  sealedSecretsCert?: string;
}

/** Inputs that secret providers read besides the environment files. */
export interface SecretInputs {
  environ: Record<string, string | undefined>;
  reseal?: boolean;
  sealedSecretsCert?: string;
}

export type GenerateStatus = 'up-to-date' | 'committed' | 'planned' | 'out-of-date';

export interface GenerateResult {
  status: GenerateStatus;
  environments: string[];
  plan: Plan;
  groups: GroupSummary[];
  diffs: string[];
  warnings: InputProblem[];
  commit?: string;
  repo: string;
}

export interface LoadedInput {
  defaults: LoadedDefaults;
  all: ValidEnvironment[];
  selected: string[];
  warnings: InputProblem[];
}

/** Loads and validates every environment file, and checks the selection. */
export function loadInput(source: string, envs: string[], all: boolean): LoadedInput {
  const dir = join(source, 'environments');
  const known = listEnvironmentNames(dir);
  if (!all && envs.length === 0) throw new UsageError(`name an environment with --env <name> or use --all (known: ${known.join(', ') || 'none'})`);
  const unknown = envs.filter((e) => !known.includes(e));
  if (unknown.length > 0) {
    throw new UsageError(`unknown environment${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; known: ${known.join(', ')} (files in ${dir})`);
  }
  const sources = loadSources(dir, source);
  const valid = validateSources(sources);
  const selected = all ? valid.map((v) => v.name) : [...new Set(envs)].sort();
  return { defaults: sources.defaults, all: valid, selected, warnings: valid.filter((v) => selected.includes(v.name)).flatMap((v) => v.warnings) };
}

/** Renders and checks every object against its Kubernetes/CRD schema; nothing is written. */
export async function renderChecked(input: LoadedInput, existing: (dirs: string[]) => Map<string, string>, inputs: SecretInputs): Promise<RenderResult> {
  const { environ } = inputs;
  const previous = existing(input.selected.map(Layout.envManifests));
  const index = indexObjects(previous);
  const world: SecretEnvironment = {
    previous: (kind, namespace, name) => index().get(`${kind}/${namespace}/${name}`),
    readFile: (path) => readFileSync(path, 'utf8'),
    reseal: inputs.reseal === true,
    sealedSecretsCert: inputs.sealedSecretsCert,
    now: new Date(),
  };
  const kept = new Map<string, Map<CredentialId, string>>();
  const credentials = credentialSource({
    environ,
    kept: (env, id) => {
      if (!kept.has(env)) {
        const v = input.all.find((e) => e.name === env)!;
        kept.set(env, keptPlainCredentials(resolveEnvironment(v), previous, Layout.envManifests(env)));
      }
      return kept.get(env)!.get(id);
    },
  });
  const result = render({ all: input.all, selected: input.selected, credentials, secrets: () => world });
  const failures = await checkManifests(result.objects);
  if (failures.length > 0) {
    throw new InputError(
      failures.map((f) => ({ field: f.path, message: `fails its Kubernetes schema: ${f.errors.join('; ')}`, hint: 'this is a gen-gitops bug unless an environment value caused it; please report it' })),
    );
  }
  return result;
}

export interface PlannedRender {
  rendered: RenderResult;
  plan: Plan;
  groups: GroupSummary[];
}

/** Renders, checks, and compares with the config repo working tree at `root` (which may not exist yet). */
export async function planRender(input: LoadedInput, root: string, inputs: SecretInputs): Promise<PlannedRender> {
  const tree = (dirs: string[], files: string[] = []) => (existsSync(root) ? readTree(root, dirs, files) : new Map<string, string>());
  const rendered = await renderChecked(input, (dirs) => tree(dirs), inputs);
  const existing = tree(rendered.ownedDirs, [...rendered.files.keys()]);
  const plan = planChanges(rendered.files, existing, rendered.ownedDirs);
  return { rendered, plan, groups: summarize(plan) };
}

export function commitMessage(environments: string[], groups: GroupSummary[]): string {
  return renderTemplate('commit-message.hbs', {
    environments,
    groups,
    version: packageVersion,
    sources: environments.map((e) => `environments/${e}.yaml`),
  });
}

/** Writes the plan into the working tree and commits exactly those paths; all or nothing. */
export async function writeAndCommit(repo: LocalConfigRepo, plan: Plan, message: string, author?: Author): Promise<string | undefined> {
  applyChanges(repo.root, plan.changes);
  const paths = plan.changes.map((c) => c.path);
  try {
    return await repo.commit(paths, message, author);
  } catch (e) {
    // A failed commit must not leave rendered files behind.
    applyChanges(repo.root, inverseChanges(plan.changes));
    await repo.unstage(paths);
    throw e;
  }
}

export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const input = loadInput(opts.source, opts.envs, opts.all);
  const root = resolve(opts.repo);
  const { plan, groups } = await planRender(input, root, opts);
  const diffs = opts.diff ? plan.changes.map(unifiedDiff) : [];
  const base = { environments: input.selected, plan, groups, diffs, warnings: input.warnings, repo: root };

  if (opts.check) return { ...base, status: plan.changes.length > 0 ? 'out-of-date' : 'up-to-date' };
  if (plan.changes.length === 0) return { ...base, status: 'up-to-date' };
  if (opts.dryRun) return { ...base, status: 'planned' };

  const repo = await LocalConfigRepo.open(root, { create: true });
  const commit = await writeAndCommit(repo, plan, commitMessage(input.selected, groups), opts.author);
  return { ...base, status: commit ? 'committed' : 'up-to-date', commit };
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

import { join } from 'node:path';
import { withCertificateOverride } from '../environment/certificate-override.js';
import { listEnvironmentNames, loadSources, type LoadedDefaults, type LoadedSources } from '../environment/load.js';
import type { ParseMemo } from '../environment/source.js';
import { environmentSpec } from '../environment/spec.js';
import type { EnvironmentSpec } from '../environment/types.js';
import { runWarnings, validateSources, type ValidEnvironment } from '../environment/validate.js';
import { uniqueProblems, UsageError, type InputProblem } from '../errors.js';
import { SourceLayout } from '../repo/layout.js';

/** What a render reads besides the environment files: credentials, sealing options, the config repo URL. */
export interface RenderInputs {
  environ: Record<string, string | undefined>;
  /** The URL ArgoCD pulls the config repo from, overriding configRepo.url in defaults.yaml. */
  repoUrl?: string;
  reseal?: boolean;
  sealedSecretsCert?: string;
}

/** The validated environment files of a run and which of them it renders: the pipeline's first stage. */
export interface LoadedInput {
  defaults: LoadedDefaults;
  all: ValidEnvironment[];
  selected: string[];
  warnings: InputProblem[];
  /** The run asked for every environment (--all): its render may remove folders of environments that are gone. */
  everything?: boolean;
  /** The source repository: files the environment files name must lie inside it. */
  source?: string;
}

// Resolved once per validated environment, however many stages ask (render, cache key, kept credentials).
const specs = new WeakMap<ValidEnvironment, EnvironmentSpec>();

/** The resolved spec of a validated environment (computed on first use, then shared). */
export function specOf(env: ValidEnvironment): EnvironmentSpec {
  let spec = specs.get(env);
  if (!spec) specs.set(env, (spec = environmentSpec(env)));
  return spec;
}

/** The resolved spec of the environment named `name` in `input`. */
export function specNamed(input: LoadedInput, name: string): EnvironmentSpec {
  const env = input.all.find((e) => e.name === name);
  if (!env) throw new Error(`environment '${name}' was not loaded`);
  return specOf(env);
}

/**
 * Loads and validates every environment file, and checks the selection.
 * `given`: what the command line supplies for the environments (a Sealed
 * Secrets certificate stands in for one the files do not name).
 */
export function loadInput(source: string, envs: string[], all: boolean, memo?: ParseMemo, given: Pick<RenderInputs, 'sealedSecretsCert'> = {}): LoadedInput {
  // Both would leave it unclear which environments the run is for (and --all would silently win).
  if (all && envs.length > 0) throw new UsageError(`--env ${envs.join(',')} and --all exclude each other: name environments with --env, or render every one with --all`);
  const dir = join(source, SourceLayout.environmentsDir);
  const known = listEnvironmentNames(dir);
  if (!all && envs.length === 0) throw new UsageError(`name an environment with --env <name> or use --all (known: ${known.join(', ') || 'none'})`);
  const unknown = envs.filter((e) => !known.includes(e));
  if (unknown.length > 0) {
    throw new UsageError(`unknown environment${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; known: ${known.join(', ')} (files in ${dir})`);
  }
  return fromSources(withCertificateOverride(loadSources(dir, source, memo), given.sealedSecretsCert), all ? undefined : envs, source);
}

/**
 * Validates loaded sources (files read from disk, or a file `promote` edited
 * in memory) and selects `envs` (undefined: every environment).
 */
export function fromSources(sources: LoadedSources, envs: string[] | undefined, source?: string): LoadedInput {
  const valid = validateSources(sources);
  const selected = envs === undefined ? valid.map((v) => v.name) : [...new Set(envs)].sort();
  const warnings = uniqueProblems([...valid.filter((v) => selected.includes(v.name)).flatMap((v) => v.warnings), ...runWarnings(sources, valid, selected)]);
  return { defaults: sources.defaults, all: valid, selected, warnings, source, everything: envs === undefined };
}

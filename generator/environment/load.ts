import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { InputError, UsageError, type InputProblem, type SourceLocation } from '../errors.js';
import { SourceLayout } from '../repo/layout.js';
import { readYamlFile, type ParseMemo, type YamlSource } from './source.js';

/** An environment file as read, before validation. */
export interface LoadedEnvironment {
  name: string;
  source: YamlSource;
}

export interface ConfigRepoSettings {
  /** The URL ArgoCD pulls the config repo from (AppProject sourceRepos, ApplicationSet repoURL). */
  url: string;
  /** Branch or tag ArgoCD follows. */
  revision: string;
}

export const DEFAULT_CONFIG_REPO: ConfigRepoSettings = { url: 'https://github.com/example-org/mlflow-gitops.git', revision: 'main' };

export interface LoadedDefaults {
  stages: string[];
  configRepo: ConfigRepoSettings;
  /** Merged under every environment. */
  environment: Record<string, unknown>;
  source?: YamlSource;
}

export interface LoadedSources {
  /** Folder holding the environment files. */
  dir: string;
  defaults: LoadedDefaults;
  /** Every environment file, sorted by name: cross-file checks need all of them. */
  environments: LoadedEnvironment[];
}

/**
 * An environment name is a DNS-1123 label of at most 30 characters starting
 * with a letter (the schema's `envName`): it becomes a folder of the config
 * repo (envs/<name>), part of object names and of environment variable names,
 * so it is checked here, from the file name, before anything uses it.
 */
export const ENV_NAME = /^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/;
const ENV_FILE = /^([a-z]([-a-z0-9]{0,28}[a-z0-9])?)\.yaml$/;
export const DEFAULTS_FILE = SourceLayout.defaultsFileName;

/**
 * Lists environment names from file names, without reading the files.
 * Hidden files (editor locks such as `.#dev.yaml`) are ignored; any other
 * `*.yaml` / `*.yml` whose name is not a valid environment name is refused,
 * so a file is never silently skipped.
 */
export function listEnvironmentNames(dir: string): string[] {
  if (!existsSync(dir)) throw new UsageError(`no ${SourceLayout.environmentsDir} folder at ${dir}; run gen-gitops from the source repository or pass --source <dir>`);
  const names: string[] = [];
  const problems: InputProblem[] = [];
  const shown = (f: string) => join(relative(dirname(dir), dir) || dir, f);
  for (const f of readdirSync(dir).sort()) {
    if (f === DEFAULTS_FILE || f.startsWith('.')) continue;
    const m = ENV_FILE.exec(f);
    if (m) names.push(m[1]!);
    else if (/\.ya?ml$/i.test(f)) {
      const base = f.replace(/\.ya?ml$/i, '');
      const location = { file: shown(f), line: 1, col: 1 };
      if (ENV_NAME.test(base))
        problems.push({ location, message: `environment files end in .yaml, not ${f.slice(base.length)}`, hint: `rename it to ${SourceLayout.envFileName(base)}` });
      else {
        problems.push({
          location,
          message: `${JSON.stringify(base.length > 40 ? `${base.slice(0, 40)}…` : base)} is not a valid environment name`,
          hint: `an environment name is a DNS-1123 label of at most 30 characters (lower-case letters, digits, '-', starting with a letter); rename the file, or move it out of ${SourceLayout.environmentsDir}/`,
        });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return names.sort();
}

export function loadSources(dir: string, displayBase = process.cwd(), memo?: ParseMemo): LoadedSources {
  const display = (file: string) => relative(displayBase, file) || file;
  // Everything read must come from the source repository (the folder holding the environments folder).
  const within = dirname(dir);
  const defaults = loadDefaults(join(dir, DEFAULTS_FILE), display, within, memo);
  const environments = listEnvironmentNames(dir).map((name) => {
    const file = join(dir, SourceLayout.envFileName(name));
    return { name, source: readYamlFile(file, display(file), { within, memo }) };
  });
  return { dir, defaults, environments };
}

/** True when something is at `file`, even a dangling symbolic link (which is then reported, not skipped). */
function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function loadDefaults(file: string, display: (f: string) => string, within: string, memo?: ParseMemo): LoadedDefaults {
  if (!present(file)) return { stages: [], environment: {}, configRepo: DEFAULT_CONFIG_REPO };
  const source = readYamlFile(file, display(file), { within, memo });
  const at = (pointer: string): SourceLocation => source.values.get(pointer) ?? { file: source.file, line: 1, col: 1 };
  const v = source.value;
  if (v === null || v === undefined) return { stages: [], environment: {}, configRepo: DEFAULT_CONFIG_REPO, source };
  if (!isPlainObject(v)) throw new InputError([{ location: at(''), message: 'must be a mapping with `stages` and `environment`' }]);
  const problems = [];
  for (const key of Object.keys(v)) {
    if (key !== 'stages' && key !== 'environment' && key !== 'configRepo') {
      problems.push({
        location: source.keys.get(`/${key}`) ?? at(''),
        field: key,
        message: 'unknown key',
        hint: 'defaults.yaml holds `stages` (environment names in promotion order), `configRepo` (url, revision) and `environment` (settings merged under every environment)',
      });
    }
  }
  const stages = v.stages ?? [];
  if (!Array.isArray(stages) || !stages.every((s) => typeof s === 'string')) {
    problems.push({ location: at('/stages'), field: 'stages', message: 'must be a list of environment names', hint: 'e.g. stages: [dev, stg, prod]' });
  }
  const environment = v.environment ?? {};
  if (!isPlainObject(environment)) problems.push({ location: at('/environment'), field: 'environment', message: 'must be a mapping of environment settings' });
  const repo = v.configRepo ?? {};
  const configRepo = { ...DEFAULT_CONFIG_REPO };
  if (!isPlainObject(repo)) problems.push({ location: at('/configRepo'), field: 'configRepo', message: 'must be a mapping with url and revision' });
  else {
    for (const key of Object.keys(repo)) {
      const value = repo[key];
      if (key !== 'url' && key !== 'revision')
        problems.push({
          location: source.keys.get(`/configRepo/${key}`) ?? at('/configRepo'),
          field: `configRepo.${key}`,
          message: 'unknown key',
          hint: 'configRepo holds url and revision',
        });
      else if (key === 'url' && repoUrlProblem(value)) problems.push({ location: at('/configRepo/url'), field: 'configRepo.url', ...repoUrlProblem(value)! });
      else if (typeof value !== 'string' || value.length === 0 || /\s/.test(value))
        problems.push({ location: at(`/configRepo/${key}`), field: `configRepo.${key}`, message: 'must be a non-empty string without spaces', hint: 'a branch or tag, e.g. main' });
      else if (key === 'revision' && !isGitRevision(value))
        problems.push({
          location: at('/configRepo/revision'),
          field: 'configRepo.revision',
          message: `${shortJson(value)} is not a branch or tag name`,
          hint: 'a branch or tag, e.g. main',
        });
      else configRepo[key] = value;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return { stages: stages as string[], environment: environment as Record<string, unknown>, configRepo, source };
}

/** A JSON value as shown in a message: long ones are cut. */
export function shortJson(v: unknown, max = 60): string {
  const s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? String(v));
  return s.length <= max ? s : `${s.slice(0, max - 1)}…" (${typeof v === 'string' ? `${v.length} characters` : 'cut'})`;
}

const REPO_URL_HINT = 'the URL ArgoCD clones, e.g. https://github.com/org/gitops.git or git@github.com:org/gitops.git';

/**
 * What is wrong with a config repo URL (configRepo.url, --repo-url, the
 * remote --repo) for ArgoCD's repoURL, or undefined. One rule for all three:
 * the value lands in every ApplicationSet, where ArgoCD templates it per
 * Application, and in Git, where credentials must never be.
 */
export function repoUrlProblem(value: unknown): { message: string; hint: string } | undefined {
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) return { message: 'must be a non-empty string without spaces', hint: REPO_URL_HINT };
  // Checked before it is shown: a message must not print a password.
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(value)?.[1];
  if (userinfo !== undefined && (userinfo.includes(':') || /^https?:/i.test(value))) {
    return {
      message: 'carries credentials (the part before @): they would be committed into every ApplicationSet',
      hint: 'give the URL without them; ArgoCD takes repository credentials from its repository Secrets',
    };
  }
  if (!isRepoUrl(value)) return { message: `${shortJson(value)} is not a Git URL`, hint: REPO_URL_HINT };
  return undefined;
}

/**
 * A config repo URL given on the command line (`--repo-url`, or the remote
 * `--repo` it defaults to) is held to configRepo.url's rule: exit 2 before
 * anything runs.
 */
export function checkRepoUrlFlag(value: string, flag: string): void {
  const problem = repoUrlProblem(value);
  if (problem) throw new UsageError(`${flag}: ${problem.message}\n    hint: ${problem.hint}`);
}

/**
 * A URL ArgoCD and git can clone: scheme://… or scp-like user@host:path, in
 * RFC 3986 characters only (no quotes, braces, backslashes or control
 * characters, so it cannot carry template syntax into an ApplicationSet).
 */
function isRepoUrl(v: string): boolean {
  if (v.length > 2048 || !/^[A-Za-z0-9._~:/?#[\]@!$&'()*+,;=%-]+$/.test(v)) return false;
  return /^[a-z][a-z0-9+.-]*:\/\/./i.test(v) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]/.test(v);
}

/** A branch, tag or commit as git check-ref-format admits it (the common subset). */
function isGitRevision(v: string): boolean {
  return v.length <= 255 && /^[A-Za-z0-9._/-]+$/.test(v) && !/(^[-/.])|(\.\.)|(\/\/)|([/.]$)|(\.lock$)|(\/\.)/.test(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets an own property, even `__proto__`, without invoking a setter. */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/**
 * Mappings merge key by key; anything else in `over` replaces `base`.
 * Only own keys are read and every key is defined as an own property, so a
 * key such as `__proto__` or `constructor` stays data (and is then reported
 * as an unknown key): it can neither reach Object.prototype nor change the
 * prototype of the merged object.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(base)) define(out, k, base[k]);
  for (const k of Object.keys(over)) define(out, k, deepMerge(Object.hasOwn(base, k) ? base[k] : undefined, over[k]));
  return out;
}

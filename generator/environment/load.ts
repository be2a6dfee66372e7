import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError, UsageError, type SourceLocation } from '../errors.js';
import { readYamlFile, type YamlSource } from './source.js';

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

const ENV_FILE = /^([a-z0-9][-a-z0-9]*)\.yaml$/;
export const DEFAULTS_FILE = 'defaults.yaml';

/** Lists environment names from file names, without reading the files. */
export function listEnvironmentNames(dir: string): string[] {
  if (!existsSync(dir)) throw new UsageError(`no environments folder at ${dir}; run gen-gitops from the source repository or pass --source <dir>`);
  return readdirSync(dir)
    .filter((f) => f !== DEFAULTS_FILE && ENV_FILE.test(f))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export function loadSources(dir: string, displayBase = process.cwd()): LoadedSources {
  const display = (file: string) => relative(displayBase, file) || file;
  const defaults = loadDefaults(join(dir, DEFAULTS_FILE), display);
  const environments = listEnvironmentNames(dir).map((name) => {
    const file = join(dir, `${name}.yaml`);
    return { name, source: readYamlFile(file, display(file)) };
  });
  return { dir, defaults, environments };
}

function loadDefaults(file: string, display: (f: string) => string): LoadedDefaults {
  if (!existsSync(file)) return { stages: [], environment: {}, configRepo: DEFAULT_CONFIG_REPO };
  const source = readYamlFile(file, display(file));
  const at = (pointer: string): SourceLocation => source.values.get(pointer) ?? { file: source.file, line: 1, col: 1 };
  const v = source.value;
  if (v === null || v === undefined) return { stages: [], environment: {}, configRepo: DEFAULT_CONFIG_REPO, source };
  if (!isPlainObject(v)) throw new InputError([{ location: at(''), message: 'must be a mapping with `stages` and `environment`' }]);
  const problems = [];
  for (const key of Object.keys(v)) {
    if (key !== 'stages' && key !== 'environment' && key !== 'configRepo') {
      problems.push({ location: source.keys.get(`/${key}`) ?? at(''), field: key, message: 'unknown key', hint: 'defaults.yaml holds `stages` (environment names in promotion order), `configRepo` (url, revision) and `environment` (settings merged under every environment)' });
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
      if (key !== 'url' && key !== 'revision') problems.push({ location: source.keys.get(`/configRepo/${key}`) ?? at('/configRepo'), field: `configRepo.${key}`, message: 'unknown key', hint: 'configRepo holds url and revision' });
      else if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) problems.push({ location: at(`/configRepo/${key}`), field: `configRepo.${key}`, message: 'must be a non-empty string without spaces', hint: key === 'url' ? 'the URL ArgoCD clones, e.g. https://github.com/org/gitops.git' : 'a branch or tag, e.g. main' });
      else configRepo[key] = value;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return { stages: stages as string[], environment: environment as Record<string, unknown>, configRepo, source };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Mappings merge key by key; anything else in `over` replaces `base`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

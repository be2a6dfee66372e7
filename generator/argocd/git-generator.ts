/**
 * Offline port of ArgoCD's ApplicationSet Git generator parameter engine
 * (argoproj/argo-cd 37ee0097cf851bc2dd7665fc081bbce61a7e836e):
 *
 * - applicationset/generators/git.go: generateParamsForGitFiles,
 *   generateParamsFromGitFile, filterApps, generateParamsFromApps
 * - applicationset/generators/value_interpolation.go: appendTemplatedValues
 * - applicationset/utils/template_functions.go: SanitizeName
 *
 * What it builds on lives in its own files: the repo server's file and
 * directory listing in repo-server.ts, and the ports of the libraries ArgoCD
 * calls under upstream/ (git wildmatch and pathspec, bmatcuk/doublestar, Go
 * path and path.Match, go-yaml v2 scalar resolution, sigs.k8s.io/yaml,
 * jeremywohl/flatten).
 *
 * No network, no Kubernetes: the repository is given as an in-memory list of
 * files. Everything is synchronous and pure.
 */
import { compareGoStrings, formatGoValue, renderReplace, setOwn, type TemplateParams } from './fasttemplate.js';
import { lsFiles } from './repo-server.js';
import { flattenDot } from './upstream/flatten.js';
import { goPathBase, goPathDir } from './upstream/go-path.js';
import { goPathMatch } from './upstream/go-path-match.js';
import { isJsonObject, jsonKind, yamlToJson, type JsonValue } from './upstream/sigs-yaml-unmarshal.js';

// The matchers and path helpers used to live here; callers (project.ts,
// preview.ts, the tests) still import them from this module.
export { lsFiles, repoDirectories } from './repo-server.js';
export { doublestarMatch } from './upstream/doublestar.js';
export { goPathBase, goPathClean, goPathDir } from './upstream/go-path.js';
export { goPathMatch } from './upstream/go-path-match.js';

/** One `files:` / `directories:` item of the Git generator. */
export interface GitPathPattern {
  readonly path: string;
  readonly exclude: boolean;
}

/** A generated parameter set (`map[string]any`). */
export type GeneratorParams = Record<string, unknown>;

interface CommonGeneratorInput {
  readonly patterns: readonly GitPathPattern[];
  readonly goTemplate: boolean;
  readonly pathParamPrefix: string;
  readonly values: Readonly<Record<string, string>>;
  /** appSet.spec.goTemplateOptions, e.g. ["missingkey=error"]. */
  readonly goTemplateOptions?: readonly string[];
  /** Only used in error messages, like ArgoCD's. */
  readonly repoURL?: string;
  readonly revision?: string;
}

export interface FilesGeneratorInput extends CommonGeneratorInput {
  /** Every committed file of the repo at the revision: path -> content. */
  readonly repoFiles: Readonly<Record<string, string>>;
  /** applicationsetcontroller.enable.new.git.file.globbing; ArgoCD default false. */
  readonly newGlobbing?: boolean;
}

export interface DirectoriesGeneratorInput extends CommonGeneratorInput {
  /** Directories as returned by the repo server (see `repoDirectories`), in that order. */
  readonly repoDirs: readonly string[];
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * Port of utils.SanitizeName: strings.ToLower, `[^-a-z0-9.]` -> "-" (one per
 * code point), cut to 253 bytes, trim "-" and "." at both ends.
 * Lower-casing is per code point with Go's simple case mapping: the only
 * non-ASCII runes whose lower case is ASCII are U+0130 (İ -> i) and U+212A
 * (Kelvin sign -> k); JS toLowerCase would turn İ into "i̇" instead.
 */
export function sanitizeName(name: string): string {
  let out = '';
  for (const ch of name) {
    let c = ch;
    if (c >= 'A' && c <= 'Z') c = c.toLowerCase();
    else if (c === '\u0130') c = 'i';
    else if (c === '\u212A') c = 'k';
    out += /^[-a-z0-9.]$/.test(c) ? c : '-';
  }
  // Every rune is ASCII now, so 253 chars == 253 bytes.
  return out.slice(0, 253).replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * generateParamsFromGitFile's parsing: yaml.Unmarshal into map[string]any and,
 * failing that, into []map[string]any. Empty / null content yields one empty
 * object; `[]` yields none; null array items yield empty objects.
 */
function parseGitFileObjects(content: string): Record<string, JsonValue>[] {
  const json = yamlToJson(content);
  if (json === null) return [{}];
  if (isJsonObject(json)) return [json];
  const prefix = 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal';
  if (!Array.isArray(json)) {
    throw new Error(`${prefix} ${jsonKind(json)} into Go value of type []map[string]interface {}`);
  }
  return json.map((item) => {
    if (item === null) return {};
    if (!isJsonObject(item)) {
      throw new Error(`${prefix} ${jsonKind(item)} into Go value of type map[string]interface {}`);
    }
    return item;
  });
}

/** Path params in the flat (fasttemplate) form: path, path.basename, path[n], ... */
function addFlatPathParams(params: GeneratorParams, name: string, dir: string, filename?: string): void {
  params[name] = dir;
  params[`${name}.basename`] = goPathBase(dir);
  if (filename !== undefined) params[`${name}.filename`] = filename;
  params[`${name}.basenameNormalized`] = sanitizeName(goPathBase(dir));
  if (filename !== undefined) params[`${name}.filenameNormalized`] = sanitizeName(goPathBase(filename));
  dir.split('/').forEach((segment, k) => {
    if (segment !== '') params[`${name}[${k}]`] = segment;
  });
}

/** Path params in the goTemplate form: {path: {path, basename, ..., segments}}. */
function addNestedPathParams(params: GeneratorParams, prefix: string, dir: string, filename?: string): void {
  const paramPath: Record<string, unknown> = { path: dir, basename: goPathBase(dir) };
  if (filename !== undefined) paramPath['filename'] = filename;
  paramPath['basenameNormalized'] = sanitizeName(goPathBase(dir));
  if (filename !== undefined) paramPath['filenameNormalized'] = sanitizeName(goPathBase(filename));
  paramPath['segments'] = dir.split('/');
  if (prefix !== '') setOwn(params, prefix, { path: paramPath });
  else params['path'] = paramPath;
}

/**
 * Port of value_interpolation.go appendTemplatedValues: every value is
 * rendered against the params built so far (not against other values), then
 * merged in as `values.<k>` (flat) or `values: {<k>: ...}` (goTemplate).
 */
function appendTemplatedValues(values: Readonly<Record<string, string>>, params: GeneratorParams, useGoTemplate: boolean, goTemplateOptions: readonly string[]): void {
  const tmp: GeneratorParams = {};
  for (const key of Object.keys(values).sort(compareGoStrings)) {
    let result: string;
    try {
      result = renderReplace(values[key] ?? '', params as TemplateParams, useGoTemplate, goTemplateOptions);
    } catch (err) {
      throw new Error(`failed to append templated values: failed to replace templated string: failed to replace templated string with rendered values: ${(err as Error).message}`);
    }
    if (useGoTemplate) {
      const nested = (tmp['values'] ??= {}) as Record<string, string>;
      setOwn(nested, key, result);
    } else {
      setOwn(tmp, `values.${key}`, result);
    }
  }
  for (const [k, v] of Object.entries(tmp)) setOwn(params, k, v);
}

/** Port of GitGenerator.generateParamsFromGitFile. */
function generateParamsFromGitFile(filePath: string, content: string, input: FilesGeneratorInput): GeneratorParams[] {
  let objects: Record<string, JsonValue>[];
  try {
    objects = parseGitFileObjects(content);
  } catch (err) {
    throw new Error(`unable to parse file: ${(err as Error).message}`);
  }
  const dir = goPathDir(filePath);
  const filename = goPathBase(filePath);
  return objects.map((object) => {
    const params: GeneratorParams = {};
    if (input.goTemplate) {
      for (const [k, v] of Object.entries(object)) setOwn(params, k, v);
      addNestedPathParams(params, input.pathParamPrefix, dir, filename);
    } else {
      // fmt.Sprintf("%v", v) of each flattened value.
      for (const [k, v] of flattenDot(object)) setOwn(params, k, formatGoValue(v));
      const name = input.pathParamPrefix !== '' ? `${input.pathParamPrefix}.path` : 'path';
      addFlatPathParams(params, name, dir, filename);
    }
    appendTemplatedValues(input.values, params, input.goTemplate, input.goTemplateOptions ?? []);
    return params;
  });
}

/**
 * What the repo server's GetGitFiles returns for one pattern ("" means ".").
 * A matched path that is not a file (new globbing can match directories and
 * the root) makes the repo server fail reading it, as in ArgoCD.
 */
function getGitFiles(input: FilesGeneratorInput, pattern: string): Map<string, string> {
  const gitPath = pattern === '' ? '.' : pattern;
  const where = `repo ${input.repoURL ?? ''} with revision ${input.revision ?? ''} pattern ${gitPath}`;
  const prefix = 'error retrieving Git files: rpc error: code = Internal desc =';
  let listed: string[];
  try {
    listed = lsFiles(Object.keys(input.repoFiles), gitPath, input.newGlobbing ?? false);
  } catch (err) {
    throw new Error(`${prefix} unable to list files. ${where}: ${(err as Error).message}`);
  }
  const files = new Map<string, string>();
  for (const path of listed) {
    if (!hasOwn(input.repoFiles, path)) throw new Error(`${prefix} unable to read files. ${where}: read ${path}: is a directory`);
    files.set(path, input.repoFiles[path] ?? '');
  }
  return files;
}

function ensureNotEmpty(patterns: readonly GitPathPattern[]): void {
  // GenerateParams: neither directories nor files -> ErrEmptyAppSetGenerator.
  if (patterns.length === 0) throw new Error('generator is empty');
}

/**
 * Port of GitGenerator.GenerateParams for `files:` (generateParamsForGitFiles):
 * union of the include patterns' files minus every exclude pattern's files,
 * processed in sorted path order; each file yields one param set per object.
 * Errors carry ArgoCD's wording ("error generating params from git: ...").
 */
export function filesGeneratorParams(input: FilesGeneratorInput): GeneratorParams[] {
  ensureNotEmpty(input.patterns);
  try {
    const contents = new Map<string, string>();
    for (const p of input.patterns.filter((x) => !x.exclude)) {
      for (const [path, content] of getGitFiles(input, p.path)) contents.set(path, content);
    }
    for (const p of input.patterns.filter((x) => x.exclude)) {
      for (const path of getGitFiles(input, p.path).keys()) contents.delete(path);
    }
    const all: GeneratorParams[] = [];
    for (const path of [...contents.keys()].sort(compareGoStrings)) {
      try {
        all.push(...generateParamsFromGitFile(path, contents.get(path) ?? '', input));
      } catch (err) {
        throw new Error(`unable to process file '${path}' from repository '${input.repoURL ?? ''}': ${(err as Error).message}`);
      }
    }
    return all;
  } catch (err) {
    throw new Error(`error generating params from git: ${(err as Error).message}`);
  }
}

/**
 * Port of GitGenerator.filterApps: a directory is kept when some include
 * pattern matches it (Go path.Match, `*` never crosses "/") and no exclude
 * pattern does, whatever the pattern order. Malformed patterns are skipped
 * (ArgoCD logs and continues). Order of repoDirs is preserved.
 */
export function filterApps(patterns: readonly GitPathPattern[], repoDirs: readonly string[]): string[] {
  return repoDirs.filter((appPath) => {
    let include = false;
    let exclude = false;
    for (const requested of patterns) {
      let match: boolean;
      try {
        match = goPathMatch(requested.path, appPath);
      } catch {
        continue;
      }
      if (match && !requested.exclude) include = true;
      if (match && requested.exclude) exclude = true;
    }
    return include && !exclude;
  });
}

/** Port of GitGenerator.GenerateParams for `directories:` (filterApps + generateParamsFromApps). */
export function directoriesGeneratorParams(input: DirectoriesGeneratorInput): GeneratorParams[] {
  ensureNotEmpty(input.patterns);
  return filterApps(input.patterns, input.repoDirs).map((app) => {
    const params: GeneratorParams = {};
    if (input.goTemplate) {
      addNestedPathParams(params, input.pathParamPrefix, app);
    } else {
      const name = input.pathParamPrefix !== '' ? `${input.pathParamPrefix}.path` : 'path';
      addFlatPathParams(params, name, app);
    }
    try {
      appendTemplatedValues(input.values, params, input.goTemplate, input.goTemplateOptions ?? []);
    } catch (err) {
      throw new Error(`error generating params from git: error generating params from apps: ${(err as Error).message}`);
    }
    return params;
  });
}

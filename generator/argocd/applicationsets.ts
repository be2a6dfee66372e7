/**
 * ApplicationSets: read from applicationsets/*.yaml (ArgoCD YAML with ArgoCD's
 * own `{{ }}` placeholders), completed with what depends on the config repo
 * (git generator repoURL/revision, template source repoURL/targetRevision,
 * template project) by walking the parsed object — never through handlebars,
 * so every `{{ }}` reaches ArgoCD exactly as written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../charts/environment.js';

export interface ApplicationSetSource {
  /** File name in the source folder, e.g. `environments-automated.yaml`. */
  file: string;
  object: KubeObject;
}

export interface ConfigRepoRef {
  url: string;
  revision: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads every `*.yaml` of the folder (sorted): one ApplicationSet per file. */
export function readApplicationSetSources(dir: string): ApplicationSetSource[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  return files.map((file) => {
    const path = join(dir, file);
    const docs = parseAllDocuments(readFileSync(path, 'utf8'), { version: '1.1' });
    if (!Array.isArray(docs)) throw new Error(`${path}: not YAML`);
    const objects = docs.filter((d) => d.contents !== null);
    const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
    if (errors.length > 0) throw new Error(`${path}: ${errors.join('; ')}`);
    if (objects.length !== 1) throw new Error(`${path}: expected exactly one ApplicationSet, found ${objects.length} documents`);
    const object = objects[0]!.toJS() as unknown;
    if (!isRecord(object) || object.apiVersion !== 'argoproj.io/v1alpha1' || object.kind !== 'ApplicationSet') {
      throw new Error(`${path}: expected apiVersion argoproj.io/v1alpha1, kind ApplicationSet`);
    }
    const meta = object.metadata;
    if (!isRecord(meta) || typeof meta.name !== 'string' || meta.name === '') throw new Error(`${path}: metadata.name is required`);
    return { file, object: object as KubeObject };
  });
}

/** `environments-automated.yaml` → `applicationset-environments-automated.yaml`. */
export function outputFileName(file: string): string {
  return `applicationset-${file.replace(/\.yaml$/, '')}.yaml`;
}

/**
 * Sets repoURL/revision of every git generator (nested ones included), the
 * template's source repoURL/targetRevision and its project. Keys keep their
 * position when present; values are replaced. Throws on a construct whose
 * completion would be ambiguous (multiple sources, templated project).
 */
export function completeApplicationSet(source: ApplicationSetSource, repo: ConfigRepoRef, project: string): KubeObject {
  const obj = structuredClone(source.object);
  const where = `applicationsets/${source.file}`;
  const spec = obj.spec;
  if (!isRecord(spec)) throw new Error(`${where}: spec is required`);
  const generators = spec.generators;
  if (!Array.isArray(generators) || generators.length === 0) throw new Error(`${where}: spec.generators must list at least one generator`);

  let gitGenerators = 0;
  const visitGenerators = (list: unknown[]) => {
    for (const g of list) {
      if (!isRecord(g)) continue;
      if (isRecord(g.git)) {
        g.git.repoURL = repo.url;
        g.git.revision = repo.revision;
        gitGenerators++;
      }
      for (const combined of ['matrix', 'merge']) {
        const c = g[combined];
        if (isRecord(c) && Array.isArray(c.generators)) visitGenerators(c.generators);
      }
    }
  };
  visitGenerators(generators);
  if (gitGenerators === 0) throw new Error(`${where}: no git generator to point at the config repo`);

  const template = spec.template;
  if (!isRecord(template) || !isRecord(template.spec)) throw new Error(`${where}: spec.template.spec is required`);
  const app = template.spec;
  if (app.sources !== undefined) throw new Error(`${where}: template.spec.sources (multiple sources) is not supported; use template.spec.source`);
  if (!isRecord(app.source)) throw new Error(`${where}: template.spec.source is required`);
  app.source.repoURL = repo.url;
  app.source.targetRevision = repo.revision;
  app.project = project;
  return obj;
}

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Options, ValidateFunction } from 'ajv';
import { assetPath } from '../paths.js';

/**
 * The JSON Schemas in schemas/ as validate functions. `npm run build`
 * compiles them ahead of time into dist/schemas/<name>.validate.cjs (ajv
 * standalone code), so a run neither loads the ajv compiler nor compiles:
 * that is most of a single environment's validation time. A precompiled
 * validator is only used when it was made from the schema file as it is
 * now (its digest is recorded in it); otherwise the schema is compiled here.
 */

export const SCHEMA_OPTIONS = {
  'environment.schema.json': { allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true },
  'argocd-parameters.schema.json': { allErrors: true, strict: true },
} satisfies Record<string, Options>;

export type SchemaFile = keyof typeof SCHEMA_OPTIONS;

const requireCjs = createRequire(import.meta.url);
const compiled = new Map<SchemaFile, ValidateFunction>();

export function precompiledPath(file: SchemaFile): string {
  return assetPath('dist', 'schemas', file.replace(/\.schema\.json$/, '.validate.cjs'));
}

export function schemaDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The validate function of a precompiled module, if it was made from exactly this schema text. */
export function usablePrecompiled(mod: unknown, text: string): ValidateFunction | undefined {
  const m = mod as { schemaDigest?: unknown; validate?: unknown } | null;
  return m && m.schemaDigest === schemaDigest(text) && typeof m.validate === 'function' ? (m.validate as ValidateFunction) : undefined;
}

export function schemaValidator(file: SchemaFile): ValidateFunction {
  const known = compiled.get(file);
  if (known) return known;
  const text = readFileSync(assetPath('schemas', file), 'utf8');
  let validate: ValidateFunction | undefined;
  const pre = precompiledPath(file);
  if (existsSync(pre)) validate = usablePrecompiled(requireCjs(pre), text);
  if (!validate) {
    const { Ajv } = requireCjs('ajv') as typeof import('ajv');
    // validateSchema off: checking our own schema against the meta-schema costs more than compiling
    // it, every run; test/schemas.test.ts does that check once, in the test suite.
    validate = new Ajv({ ...SCHEMA_OPTIONS[file], validateSchema: false }).compile(JSON.parse(text) as object);
  }
  compiled.set(file, validate);
  return validate;
}

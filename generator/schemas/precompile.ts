/**
 * Build step (npm run build): compiles schemas/*.schema.json into
 * dist/schemas/<name>.validate.cjs with ajv's standalone code generator.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { assetPath } from '../paths.js';
import { precompiledPath, SCHEMA_OPTIONS, schemaDigest, type SchemaFile } from './validators.js';

for (const file of Object.keys(SCHEMA_OPTIONS) as SchemaFile[]) {
  const text = readFileSync(assetPath('schemas', file), 'utf8');
  const ajv = new Ajv({ ...SCHEMA_OPTIONS[file], code: { source: true, esm: false } });
  const validate = ajv.compile(JSON.parse(text) as object);
  const code = standalone.default(ajv, validate);
  const out = precompiledPath(file);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${code}\nmodule.exports.validate = module.exports;\nmodule.exports.schemaDigest = ${JSON.stringify(schemaDigest(text))};\n`);
}

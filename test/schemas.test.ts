import test from 'ava';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PARAMETERS_SCHEMA_OPTIONS } from '../generator/argocd/parameters.js';
import { ENVIRONMENT_SCHEMA_OPTIONS } from '../generator/environment/validate.js';
import { projectRoot } from './helpers/workspace.js';

// The CLI compiles these without the meta-schema check (it costs more than compiling, every
// run); this is where a broken schema is caught instead.
for (const [file, options] of [
  ['environment.schema.json', ENVIRONMENT_SCHEMA_OPTIONS],
  ['argocd-parameters.schema.json', PARAMETERS_SCHEMA_OPTIONS],
] as const) {
  test(`schemas/${file} is a valid JSON Schema and compiles in strict mode`, (t) => {
    const schema = JSON.parse(readFileSync(join(projectRoot, 'schemas', file), 'utf8')) as object;
    const ajv = new Ajv({ ...options });
    t.true(ajv.validateSchema(schema), JSON.stringify(ajv.errors));
    t.notThrows(() => ajv.compile(schema));
    t.false(new Ajv({ ...options }).validateSchema({ ...schema, type: 'not-a-type' }), 'the check itself catches a broken schema');
  });
}

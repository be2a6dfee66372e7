import test from 'ava';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PARAMETERS_SCHEMA_OPTIONS } from '../generator/argocd/parameters.js';
import { ENVIRONMENT_SCHEMA_OPTIONS } from '../generator/environment/validate.js';
import { projectRoot } from './helpers/workspace.js';
import { createRequire } from 'node:module';
import { precompiledPath, schemaValidator, usablePrecompiled } from '../generator/schemas/validators.js';

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

test('the build precompiles both schemas; runs use those validators, which report exactly what a runtime compile reports', (t) => {
  for (const file of ['environment.schema.json', 'argocd-parameters.schema.json'] as const) {
    const text = readFileSync(join(projectRoot, 'schemas', file), 'utf8');
    const pre = createRequire(import.meta.url)(precompiledPath(file)) as unknown;
    t.truthy(usablePrecompiled(pre, text), `${file}: dist/ holds a validator made from the current schema`);
    t.is(usablePrecompiled(pre, `${text} `), undefined, 'one made from another version of the schema is not used');
    t.is(schemaValidator(file), usablePrecompiled(pre, text)!);
  }
  const runtime = new Ajv({ ...ENVIRONMENT_SCHEMA_OPTIONS }).compile(JSON.parse(readFileSync(join(projectRoot, 'schemas', 'environment.schema.json'), 'utf8')) as object);
  const precompiled = schemaValidator('environment.schema.json');
  for (const doc of [
    {},
    { name: 'Dev!', namespace: 7, mlflow: { nodePort: 'x' }, extra: true },
    { name: 'dev', cluster: { name: 'c', server: 'nope' }, secrets: { provider: 'vault' } },
  ]) {
    runtime(doc);
    precompiled(doc);
    const strip = (errors: typeof runtime.errors) =>
      (errors ?? []).map(({ instancePath, keyword, params, message, schemaPath }) => ({ instancePath, keyword, params, message, schemaPath }));
    t.deepEqual(strip(precompiled.errors), strip(runtime.errors));
    t.true((precompiled.errors ?? []).length > 0);
  }
});

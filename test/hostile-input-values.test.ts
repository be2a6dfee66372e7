/**
 * Hostile input: values (template and shell syntax, long values) and numbers
 * (YAML 1.2 edge cases). Every bad case ends in exit 2 with one clear message
 * naming the file. Shared setup is in helpers/hostile.ts.
 */
import test from 'ava';
import { readdirSync, writeFileSync } from 'node:fs';
import { defaultsFile, readText, refused, renderAll, replaceIn, stg, workspace } from './helpers/hostile.js';

/* ---------------------------------------------------------------- values */

const templateValues = ['"{{ .Values.x }}"', '"{{path.basename}}"', '"$(id)"', '"`id`"', '"\'; rm -rf /"', '"a\\nb"', '"a\\tb"', "'it''s'", '"<%= x %>"', '"${HOME}"'];
for (const [field, from, make] of [
  ['namespace', 'namespace: mlflow-stg', (v: string) => `namespace: ${v}`],
  ['cluster.server', 'argocd:', (v: string) => `cluster:\n  name: in-cluster\n  server: ${v.startsWith('"') ? `"https://x${v.slice(1)}` : `https://x${v}`}\nargocd:`],
  ['mlflow.image.tag', 'nodePort: 30501', (v: string) => `nodePort: 30501\n  image:\n    repository: ghcr.io/mlflow/mlflow\n    tag: ${v}`],
  ['mlflow.allowedHosts[0]', 'nodePort: 30501', (v: string) => `nodePort: 30501\n  allowedHosts: [${v}]`],
  ['postgres.database', 'port: 5433', (v: string) => `port: 5433\n  database: ${v}`],
  ['minio.endpoint', 'name: minio-stg', (v: string) => `name: minio-stg\n  mode: external\n  endpoint: ${v}`],
] as const) {
  test(`${field}: newlines, quotes and template syntax are refused`, async (t) => {
    for (const v of templateValues) {
      const ws = workspace(t);
      replaceIn(ws, 'stg', from, make(v));
      await refused(t, ws, [new RegExp(`${field.replace(/[.[\]]/g, '\\$&')}: .*is not valid|YAML syntax error`)], { file: stg });
    }
  });
}

for (const [key, value, expect] of [
  ['url', '"https://example.com/{{x}}.git"', /configRepo\.url: .* is not a Git URL/],
  ['url', '"https://example.com/{{ x }}.git"', /configRepo\.url: must be a non-empty string without spaces/],
  ['url', '"https://example.com/$(id)\\n.git"', /configRepo\.url: must be a non-empty string without spaces/],
  ['url', '"https://example.com/a\\"b.git"', /configRepo\.url: .* is not a Git URL/],
  ['url', '"-uhttps://x"', /configRepo\.url: .* is not a Git URL/],
  ['revision', '"main; rm -rf /"', /configRepo\.revision: must be a non-empty string without spaces/],
  ['revision', '"{{ x }}"', /configRepo\.revision: must be a non-empty string without spaces/],
  ['revision', '"../../x"', /configRepo\.revision: .* is not a branch or tag name/],
  ['revision', '"--upload-pack=x"', /configRepo\.revision: .* is not a branch or tag name/],
] as const) {
  test(`defaults.yaml configRepo.${key}: ${value} is refused`, async (t) => {
    const ws = workspace(t);
    const text = readText(defaultsFile(ws));
    const line = key === 'url' ? /url: https:\/\/github\.com\/example-org\/mlflow-gitops\.git/ : /revision: main/;
    writeFileSync(defaultsFile(ws), text.replace(line, `${key}: ${value}`));
    await refused(t, ws, [expect], { file: 'environments/defaults.yaml' });
  });
}

test('template and shell syntax in the certificate path is only ever a file name that does not exist', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'argocd:', `secrets:\n  provider: sealed-secrets\n  sealedSecrets:\n    certificate: "certs/$(touch pwned){{x}}\\"'.pem"\nargocd:`);
  await refused(t, ws, [/cannot read the Sealed Secrets certificate .*: no such file/]);
  t.deepEqual(
    readdirSync(ws.source).filter((f) => f.includes('pwned')),
    [],
  );
  t.deepEqual(
    readdirSync(process.cwd()).filter((f) => f.includes('pwned')),
    [],
  );
});

test('a 60 kB value is refused and the message shows only its start', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'namespace: mlflow-stg', `namespace: ${'a'.repeat(60_000)}`);
  const e = await refused(t, ws, [/namespace: "a+…" \(60000 characters\) is not valid/], { file: stg });
  t.true(e.message.length < 400);
});

/* ---------------------------------------------------------------- numbers */

for (const [value, expect] of [
  ['1e309', /mlflow\.nodePort: must be integer/],
  ['.inf', /mlflow\.nodePort: must be integer/],
  ['-.inf', /mlflow\.nodePort: must be integer/],
  ['.nan', /mlflow\.nodePort: must be integer/],
  ['-0', /mlflow\.nodePort: 0 is out of range/],
  ['30501.5', /mlflow\.nodePort: must be integer/],
  ['123456789012345678901234567890', /mlflow\.nodePort: 1\.2345678901234568e\+29 is out of range/],
  ['0x10', /mlflow\.nodePort: 16 is out of range/],
  ['"30501"', /mlflow\.nodePort: must be integer/],
] as const) {
  test(`nodePort: ${value} is refused`, async (t) => {
    const ws = workspace(t);
    replaceIn(ws, 'stg', 'nodePort: 30501', `nodePort: ${value}`);
    await refused(t, ws, [new RegExp(`stg\\.yaml:7:13: ${expect.source}`)], { file: stg });
  });
}

test('cpu: .nan / .inf / 1e309 are refused (NaN passes minimum and maximum, not the type)', async (t) => {
  for (const v of ['.nan', '.inf', '1e309', '-1', '1e-9']) {
    const ws = workspace(t);
    replaceIn(ws, 'stg', 'nodePort: 30501', `nodePort: 30501\n  resources:\n    requests: { cpu: ${v}, memory: 512Mi }\n    limits: { cpu: 1, memory: 1Gi }`);
    await refused(t, ws, [/mlflow\.resources\.requests\.cpu: /], { file: stg });
  }
});

test('memory that cannot be rendered in whole Mi is refused (found by the property tests)', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: 30501\n  resources:\n    requests: { cpu: 250m, memory: 1000Ki }\n    limits: { cpu: 1, memory: 99999999999Gi }');
  await refused(t, ws, [/mlflow\.resources\.(requests|limits)\.memory: /], { file: stg });
});

test('YAML 1.2 numbers that are valid integers render as such (0x10 workers, 30501.0)', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: 30501.0\n  workers: 0x4');
  const result = await renderAll(ws, ['stg']);
  const text = [...result.files.values()].join('\n');
  t.regex(text, /nodePort: 30501\n/);
  t.notRegex(text, /30501\.0/);
});

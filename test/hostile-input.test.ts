/**
 * Hostile input (issue 6, item 5): every case ends in exit 2 with one clear
 * message naming the file — or renders safely when the input is valid —
 * never a stack trace, a hang, an "unexpected error" (exit 1) or a file
 * outside the config repo. Most cases run in process (loadInput +
 * renderChecked, what the CLI runs); a handful run the real CLI.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deepMerge } from '../generator/environment/load.js';
import { MAX_FILE_BYTES, MAX_PROBLEMS_PER_FILE } from '../generator/environment/source.js';
import { InputError, UserError } from '../generator/errors.js';
import { loadInput } from '../generator/pipeline/input.js';
import { renderChecked } from '../generator/pipeline/render.js';
import { ConfigRepoSnapshot } from '../generator/pipeline/snapshot.js';
import type { RenderResult } from '../generator/render/render.js';
import { git, snapshotTree } from './helpers/git.js';
import { makeWorkspace, runIn, type Workspace } from './helpers/workspace.js';

const STACK = /\n\s+at .+:\d+:\d+\)?(\n|$)/;

function workspace(t: ExecutionContext): Workspace {
  const ws = makeWorkspace('gen-gitops-hostile-');
  t.teardown(ws.cleanup);
  return ws;
}

const replaceIn = (ws: Workspace, env: string, from: string | RegExp, to: string) => {
  const before = ws.readEnv(env);
  const after = before.replace(from, () => to);
  if (after === before) throw new Error(`test edit did not apply to ${env}.yaml: ${String(from)}`);
  ws.writeEnv(env, after);
};
const defaultsFile = (ws: Workspace) => join(ws.source, 'environments', 'defaults.yaml');

async function renderAll(ws: Workspace, envs: string[] = []): Promise<RenderResult> {
  const input = loadInput(ws.source, envs, envs.length === 0);
  return renderChecked(input, ConfigRepoSnapshot.empty(), { environ: {} });
}

/** Loads and renders; expects exit 2 with a short message that names `file` and matches every pattern. */
async function refused(t: ExecutionContext, ws: Workspace, patterns: RegExp[], opts: { file?: string; envs?: string[] } = {}): Promise<UserError> {
  let error: unknown;
  try {
    await renderAll(ws, opts.envs);
  } catch (e) {
    error = e;
  }
  if (!(error instanceof UserError)) {
    t.fail(`expected exit 2, got ${error === undefined ? 'a successful render' : ((error as Error).stack ?? String(error))}`);
    throw error;
  }
  t.is(error.exitCode, 2, error.message);
  if (opts.file !== undefined) t.true(error.message.includes(opts.file), `message names ${opts.file}: ${error.message}`);
  for (const re of patterns) t.regex(error.message, re);
  t.notRegex(error.message, STACK, 'no stack trace');
  if (error instanceof InputError) t.true(error.problems.length <= MAX_PROBLEMS_PER_FILE + 1, `${error.problems.length} problems`);
  t.true(error.message.length < 4000, `message is ${error.message.length} characters`);
  return error;
}

const stg = 'environments/stg.yaml';

/* ---------------------------------------------------------------- size */

test('a file over the size limit is refused before it is parsed', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `${ws.readEnv('stg')}#${'x'.repeat(MAX_FILE_BYTES)}\n`);
  await refused(t, ws, [new RegExp(`stg\\.yaml:1:1: file is \\d+ bytes; the limit is ${MAX_FILE_BYTES}`)], { file: stg });
});

test('a huge (sparse, 4 GiB) file is refused without being read', async (t) => {
  const ws = workspace(t);
  const fd = openSync(ws.envFile('stg'), 'w');
  ftruncateSync(fd, 4 * 1024 ** 3);
  closeSync(fd);
  await refused(t, ws, [/stg\.yaml:1:1: file is 4294967296 bytes; the limit is/], { file: stg });
});

test('a valid file just under the size limit renders', async (t) => {
  const ws = workspace(t);
  const text = ws.readEnv('stg');
  const padding = MAX_FILE_BYTES - Buffer.byteLength(text) - 2;
  ws.writeEnv('stg', `${text}#${'x'.repeat(padding)}\n`);
  t.is(statSync(ws.envFile('stg')).size, MAX_FILE_BYTES);
  const result = await renderAll(ws);
  t.true(result.files.size > 0);
});

test('a file just under the limit full of keys: a short list of problems, not thousands', async (t) => {
  const ws = workspace(t);
  let text = ws.readEnv('stg');
  for (let i = 0; Buffer.byteLength(text) < MAX_FILE_BYTES - 20; i++) text += `k${i}: ${i}\n`;
  ws.writeEnv('stg', text);
  await refused(t, ws, [/stg\.yaml:\d+:1: k0: unknown key 'k0'/, /and \d+ more problems in this file/], { file: stg });
});

/* ---------------------------------------------------------------- structure */

const deep: [string, string][] = [
  ['unclosed flow sequences', `x: ${'['.repeat(60_000)}\n`],
  ['closed flow sequences', `x: ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`],
  ['flow mappings', `x: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`],
  ['block sequences on one line', `x:\n  ${'- '.repeat(30_000)}1\n`],
  ['explicit keys', `${'? '.repeat(30_000)}a\n`],
];
for (const [title, tail] of deep) {
  test(`deeply nested YAML (${title}) is refused`, async (t) => {
    const ws = workspace(t);
    ws.writeEnv('stg', `${ws.readEnv('stg')}${tail}`);
    await refused(t, ws, [/stg\.yaml:\d+:\d+: YAML nested too deeply \(more than \d+ levels\)/], { file: stg });
  });
}

test('100 000 unclosed [ (over the size limit) are refused by the size check', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `${ws.readEnv('stg')}x: ${'['.repeat(100_000)}\n`);
  await refused(t, ws, [/stg\.yaml:1:1: file is \d+ bytes; the limit is/], { file: stg });
});

const billionLaughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

test('an alias bomb (billion laughs) is refused', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `${ws.readEnv('stg')}${billionLaughs}\n`);
  await refused(t, ws, [/stg\.yaml:\d+:\d+: (more than \d+ YAML aliases|YAML cannot be loaded: Excessive alias count)/, /avoid YAML aliases/], { file: stg });
});

test('a small alias bomb (under the alias count) still cannot expand', async (t) => {
  const ws = workspace(t);
  const small = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
  ws.writeEnv('stg', `${ws.readEnv('stg')}${small}\n`);
  await refused(t, ws, [/stg\.yaml:1:1: YAML cannot be loaded: Excessive alias count/], { file: stg });
});

test('thousands of anchors are refused before the (slow) composer runs', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `${ws.readEnv('stg')}${Array.from({ length: 3000 }, (_, i) => `k${i}: &a${i} v`).join('\n')}\n`);
  await refused(t, ws, [/stg\.yaml:\d+:\d+: more than \d+ YAML anchors/], { file: stg });
});

test('an anchor and alias used sensibly are fine', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'mlflow:\n  nodePort: 30501', 'mlflow:\n  nodePort: 30501\n  resources:\n    requests: &small { cpu: 250m, memory: 512Mi }\n    limits: *small');
  const result = await renderAll(ws, ['stg']);
  t.regex(result.files.get('envs/stg/manifests/deployment-mlflow.yaml') ?? [...result.files.values()].join('\n'), /memory: 512Mi/);
});

test('several YAML documents in one file are refused', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `${ws.readEnv('stg')}---\nname: other\n`);
  await refused(t, ws, [/stg\.yaml:\d+:\d+: YAML syntax error: Source contains multiple documents/], { file: stg });
});

test('a %YAML 1.1 directive (yes/no booleans, merge keys, !!binary) is refused', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `%YAML 1.1\n---\n${ws.readEnv('stg')}`);
  await refused(t, ws, [/stg\.yaml:1:1: YAML version 1\.1 is not supported/], { file: stg });
});

test('a list or mapping used as a key is refused', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `${ws.readEnv('stg')}? [a, b]\n: c\n`);
  await refused(t, ws, [/stg\.yaml:\d+:\d+: a mapping key must be a plain value/], { file: stg });
});

test('a very long key is refused without echoing it', async (t) => {
  const ws = workspace(t);
  // An implicit key is limited to 1024 characters by YAML itself; an explicit one (?) is not.
  ws.writeEnv('stg', `${ws.readEnv('stg')}? ${'k'.repeat(20_000)}\n: 1\n`);
  const e = await refused(t, ws, [/stg\.yaml:\d+:3: key is 20000 characters long; the limit is \d+/], { file: stg });
  t.true(e.message.length < 300);
});

/* ---------------------------------------------------------------- encoding */

test('bytes that are not UTF-8 are refused', async (t) => {
  const ws = workspace(t);
  writeFileSync(ws.envFile('stg'), Buffer.concat([Buffer.from(ws.readEnv('stg').replace('mlflow-stg', 'mlflow-st')), Buffer.from([0x23, 0x20, 0xe9, 0x0a])]));
  await refused(t, ws, [/stg\.yaml:1:1: file is not valid UTF-8/], { file: stg });
});

test('a UTF-16 file is refused as not UTF-8', async (t) => {
  const ws = workspace(t);
  writeFileSync(ws.envFile('stg'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ws.readEnv('stg'), 'utf16le')]));
  await refused(t, ws, [/stg\.yaml:1:1: file is not valid UTF-8/], { file: stg });
});

test('a UTF-8 byte order mark is accepted and changes nothing', async (t) => {
  const ws = workspace(t);
  const plain = await renderAll(ws);
  writeFileSync(ws.envFile('stg'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ws.readEnv('stg'))]));
  writeFileSync(defaultsFile(ws), `\ufeff${readText(defaultsFile(ws))}`);
  const withBom = await renderAll(ws);
  t.deepEqual([...withBom.files.keys()], [...plain.files.keys()]);
  for (const [path, text] of plain.files) if (!/secret/i.test(path)) t.is(withBom.files.get(path), text, path);
});

function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

test('a raw NUL byte in a value is refused', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'namespace: mlflow-stg', 'namespace: mlflow\0stg');
  await refused(t, ws, [/stg\.yaml:3:12: value contains the invisible or control character U\+0000/], { file: stg });
});

test('an escaped NUL ("\\0") in a value is refused', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'namespace: mlflow-stg', 'namespace: "mlflow\\0stg"');
  await refused(t, ws, [/stg\.yaml:3:12: value contains the invisible or control character U\+0000/], { file: stg });
});

test('a NUL in the certificate path (a field without a character pattern of its own) is refused', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'argocd:', 'secrets:\n  provider: sealed-secrets\n  sealedSecrets:\n    certificate: "certs/stg.pem\\0.txt"\nargocd:');
  await refused(t, ws, [/value contains the invisible or control character U\+0000/], { file: stg });
});

test('bidirectional override characters (Trojan Source) in a value are refused', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'namespace: mlflow-stg', 'namespace: "mlflow-\u202estg"');
  await refused(t, ws, [/stg\.yaml:3:12: value contains the invisible or control character U\+202E/], { file: stg });
});

test('a NUL byte inside a comment is harmless', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `# a comment with a \0 byte\n${ws.readEnv('stg')}`);
  t.true((await renderAll(ws, ['stg'])).files.size > 0);
});

/* ---------------------------------------------------------------- keys */

test('duplicate keys are refused, at the top and nested', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: 30501\n  nodePort: 30599');
  await refused(t, ws, [/stg\.yaml:8:3: YAML duplicate key: Map keys must be unique \('nodePort' is also at line 7\)/], { file: stg });
});

test('keys that collide once loaded (1 and "1") are duplicates too', async (t) => {
  const ws = workspace(t);
  ws.writeEnv('stg', `${ws.readEnv('stg')}1: a\n"1": b\n`);
  await refused(t, ws, [/YAML duplicate key/], { file: stg });
});

for (const key of ['__proto__', 'constructor', 'prototype']) {
  test(`a '${key}' key cannot pollute prototypes (environment file, nested, defaults.yaml)`, async (t) => {
    for (const where of ['top', 'nested', 'defaults'] as const) {
      const ws = workspace(t);
      const payload = `${key}:\n  polluted: true\n  allowPlaintextSecrets: true\n  production: false\n`;
      if (where === 'top') ws.writeEnv('stg', `${ws.readEnv('stg')}${payload}`);
      else if (where === 'nested') replaceIn(ws, 'stg', 'mlflow:\n', `mlflow:\n  ${payload.trimEnd().replace(/\n/g, '\n  ')}\n`);
      else writeFileSync(defaultsFile(ws), readText(defaultsFile(ws)).replace('environment:\n', `environment:\n  ${payload.trimEnd().replace(/\n/g, '\n  ')}\n`));
      await refused(t, ws, [new RegExp(`key '${key}' is not allowed`)], { file: where === 'defaults' ? 'environments/defaults.yaml' : stg });
      t.is(({} as Record<string, unknown>)['polluted'], undefined);
      t.is(({} as Record<string, unknown>)['allowPlaintextSecrets'], undefined);
    }
  });
}

test('deepMerge keeps __proto__ as data: no prototype change, no pollution', (t) => {
  const over = JSON.parse('{"__proto__": {"polluted": true}, "mlflow": {"__proto__": {"workers": 9}}}') as Record<string, unknown>;
  const merged = deepMerge({ mlflow: { workers: 2 } }, over) as Record<string, unknown>;
  t.is(Object.getPrototypeOf(merged), Object.prototype);
  t.true(Object.hasOwn(merged, '__proto__'));
  t.deepEqual(Object.keys(merged).sort(), ['__proto__', 'mlflow']);
  const mlflow = merged['mlflow'] as Record<string, unknown>;
  t.is(Object.getPrototypeOf(mlflow), Object.prototype);
  t.is(mlflow['workers'], 2);
  t.true(Object.hasOwn(mlflow, '__proto__'));
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
  t.is(({} as Record<string, unknown>)['workers'], undefined);
});

/* ---------------------------------------------------------------- tags */

for (const [tag, value] of [
  ['!!js/function', '"function () { return process.exit(1) }"'],
  ['!!binary', 'aGVsbG8='],
  ['!!set', '{ a, b }'],
  ['!!timestamp', '2001-12-14'],
  ['!custom', 'mlflow-stg'],
] as const) {
  test(`the YAML tag ${tag} is refused`, async (t) => {
    const ws = workspace(t);
    replaceIn(ws, 'stg', 'namespace: mlflow-stg', `namespace: ${tag} ${value}`);
    await refused(t, ws, [new RegExp(`stg\\.yaml:3:\\d+: YAML tag ${tag.replace(/[!/]/g, '\\$&')} is not supported`)], { file: stg });
  });
}

test('core schema tags (!!str, !!int) are accepted', async (t) => {
  const ws = workspace(t);
  replaceIn(ws, 'stg', 'namespace: mlflow-stg', 'namespace: !!str mlflow-stg');
  replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: !!int 30501');
  const result = await renderAll(ws, ['stg']);
  t.true([...result.files.values()].some((f) => f.includes('nodePort: 30501')));
});

/* ---------------------------------------------------------------- names and paths */

for (const name of ['../../etc', '/etc', '.git', 'envs/../x', 'stg/../../x', 'STG', 'stg\n']) {
  test(`name: ${JSON.stringify(name)} is refused before it becomes a path`, async (t) => {
    const ws = workspace(t);
    replaceIn(ws, 'stg', 'name: stg', `name: ${JSON.stringify(name)}`);
    await refused(t, ws, [/stg\.yaml:2:7: name: .* is not valid/], { file: stg });
  });
}

for (const [field, from, to] of [
  ['namespace', 'namespace: mlflow-stg', 'namespace: ../../etc'],
  ['cluster.name', 'argocd:', 'cluster:\n  name: ../../x\n  server: https://kubernetes.default.svc\nargocd:'],
  ['postgres.name', 'name: stg-postgres', 'name: ../x'],
  ['minio.name', 'name: minio-stg', 'name: /tmp/x'],
] as const) {
  test(`${field} trying to escape the repo is refused`, async (t) => {
    const ws = workspace(t);
    replaceIn(ws, 'stg', from, to);
    await refused(t, ws, [new RegExp(`${field.replace('.', '\\.')}: .* is not valid`)], { file: stg });
  });
}

test('Service/StatefulSet names must be DNS-1035 labels short enough for the revision-hash label', async (t) => {
  for (const name of ['0pg', `p${'g'.repeat(52)}`]) {
    const ws = workspace(t);
    replaceIn(ws, 'stg', 'name: stg-postgres', `name: ${name}`);
    await refused(t, ws, [/postgres\.name: .* is not valid/, /DNS-1035 label/], { file: stg });
  }
});

for (const file of ['UPPER.yaml', 'a_b.yaml', '1dev.yaml', 'dev-.yaml', `${'a'.repeat(31)}.yaml`, 'x y.yaml', 'ünï.yaml']) {
  test(`an environment file named ${file.length > 20 ? `${file.slice(0, 8)}….yaml` : file} is refused, not skipped`, async (t) => {
    const ws = workspace(t);
    writeFileSync(join(ws.source, 'environments', file), ws.readEnv('stg'));
    await refused(t, ws, [/is not a valid environment name/, /DNS-1123 label/], { file: `environments/${file}` });
  });
}

test('an environment file ending in .yml or .YAML is refused with the fix', async (t) => {
  for (const ext of ['yml', 'YAML']) {
    const ws = workspace(t);
    writeFileSync(join(ws.source, 'environments', `qa.${ext}`), ws.readEnv('stg'));
    await refused(t, ws, [new RegExp(`environments/qa\\.${ext}:1:1: environment files end in \\.yaml, not \\.${ext}`), /rename it to qa\.yaml/]);
  }
});

test('hidden files (..yaml, .git.yaml, editor locks) are ignored and never become environments', async (t) => {
  const ws = workspace(t);
  for (const f of ['..yaml', '.git.yaml', '.#stg.yaml', '.stg.yaml']) writeFileSync(join(ws.source, 'environments', f), 'name: ../../etc\n');
  const result = await renderAll(ws);
  t.deepEqual(result.specs.map((s) => s.name), ['dev', 'prod', 'stg']);
});

for (const env of ['../x', '../../etc/passwd', '/etc', '.git', 'envs/../stg', 'STG', 'stg/']) {
  test(`--env ${env} is refused as an unknown environment`, (t) => {
    const ws = workspace(t);
    const e = t.throws(() => loadInput(ws.source, [env], false), { instanceOf: UserError });
    t.is(e?.exitCode, 2);
    t.regex(e?.message ?? '', /unknown environment/);
  });
}

/* ---------------------------------------------------------------- symbolic links and special files */

test('a symbolic link to a file outside the source repository is refused (decision: refuse)', async (t) => {
  const ws = workspace(t);
  const outside = join(ws.dir, 'outside.yaml');
  writeFileSync(outside, ws.readEnv('stg'));
  rmSync(ws.envFile('stg'));
  symlinkSync(outside, ws.envFile('stg'));
  await refused(t, ws, [/stg\.yaml:1:1: is a symbolic link to a file outside the source repository/], { file: stg });
});

test('a symbolic link to /etc/passwd is refused without echoing its content', async (t) => {
  const ws = workspace(t);
  rmSync(ws.envFile('stg'));
  symlinkSync('/etc/passwd', ws.envFile('stg'));
  const e = await refused(t, ws, [/is a symbolic link to a file outside the source repository/], { file: stg });
  t.notRegex(e.message, /root:/);
});

test('a symbolic link to /dev/zero neither hangs nor fills memory', async (t) => {
  const ws = workspace(t);
  rmSync(ws.envFile('stg'));
  symlinkSync('/dev/zero', ws.envFile('stg'));
  await refused(t, ws, [/is a symbolic link to a file outside the source repository/], { file: stg });
});

test('defaults.yaml linked from outside the source repository is refused too', async (t) => {
  const ws = workspace(t);
  const outside = join(ws.dir, 'defaults.yaml');
  writeFileSync(outside, readText(defaultsFile(ws)));
  rmSync(defaultsFile(ws));
  symlinkSync(outside, defaultsFile(ws));
  await refused(t, ws, [/defaults\.yaml:1:1: is a symbolic link to a file outside the source repository/], { file: 'environments/defaults.yaml' });
});

test('a symbolic link inside the source repository is followed', async (t) => {
  const ws = workspace(t);
  mkdirSync(join(ws.source, 'shared'));
  writeFileSync(join(ws.source, 'shared', 'stg.yaml'), ws.readEnv('stg'));
  rmSync(ws.envFile('stg'));
  symlinkSync(join('..', 'shared', 'stg.yaml'), ws.envFile('stg'));
  t.true((await renderAll(ws, ['stg'])).files.size > 0);
});

test('an environments/ folder linked from outside the source repository is refused', async (t) => {
  const ws = workspace(t);
  const elsewhere = join(ws.dir, 'elsewhere');
  cpSync(join(ws.source, 'environments'), elsewhere, { recursive: true });
  rmSync(join(ws.source, 'environments'), { recursive: true });
  symlinkSync(elsewhere, join(ws.source, 'environments'));
  await refused(t, ws, [/environments\/defaults\.yaml:1:1: is outside the source repository/]);
});

test('a dangling symbolic link is refused, not skipped', async (t) => {
  const ws = workspace(t);
  rmSync(ws.envFile('stg'));
  symlinkSync(join(ws.source, 'nowhere.yaml'), ws.envFile('stg'));
  await refused(t, ws, [/stg\.yaml:1:1: is a symbolic link to a file that does not exist/], { file: stg });
});

test('a FIFO named like an environment file is refused without blocking', async (t) => {
  const ws = workspace(t);
  rmSync(ws.envFile('stg'));
  try {
    execFileSync('mkfifo', [ws.envFile('stg')]);
  } catch {
    t.pass('mkfifo is not available here');
    return;
  }
  await refused(t, ws, [/stg\.yaml:1:1: is not a regular file/], { file: stg });
});

test('a directory named like an environment file is refused', async (t) => {
  const ws = workspace(t);
  mkdirSync(join(ws.source, 'environments', 'qa.yaml'));
  await refused(t, ws, [/qa\.yaml:1:1: is a directory, not a file/], { file: 'environments/qa.yaml' });
});

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
  t.deepEqual(readdirSync(ws.source).filter((f) => f.includes('pwned')), []);
  t.deepEqual(readdirSync(process.cwd()).filter((f) => f.includes('pwned')), []);
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

/* ---------------------------------------------------------------- timing */

// Each must end in an input error rather than hang or blow up; the 60 s test timeout only
// catches a hang. How fast they end is not asserted here (timed tests are flaky on a loaded
// machine): speed is measured by `npm run bench`.
test.serial('the worst inputs each end in an input error, never a hang', (t) => {
  t.timeout(60_000);
  const cases: [string, (ws: Workspace) => void][] = [
    [
      'a sparse 4 GiB file',
      (ws) => {
        const fd = openSync(ws.envFile('stg'), 'w');
        ftruncateSync(fd, 4 * 1024 ** 3);
        closeSync(fd);
      },
    ],
    ['deep nesting', (ws) => ws.writeEnv('stg', `x: ${'['.repeat(MAX_FILE_BYTES - 10)}`)],
    ['many keys', (ws) => ws.writeEnv('stg', Array.from({ length: 8000 }, (_, i) => `k${i}: v`).join('\n').slice(0, MAX_FILE_BYTES - 10))],
    ['many duplicate keys', (ws) => ws.writeEnv('stg', 'a: 1\n'.repeat(Math.floor((MAX_FILE_BYTES - 10) / 5)))],
    ['many syntax errors', (ws) => ws.writeEnv('stg', 'x:\n' + '\t- a\n'.repeat(Math.floor((MAX_FILE_BYTES - 10) / 5)))],
    ['many unknown tags', (ws) => ws.writeEnv('stg', `x: [${Array.from({ length: 10_000 }, () => '!x a').join(',')}]`.slice(0, MAX_FILE_BYTES - 10))],
    ['many anchors', (ws) => ws.writeEnv('stg', Array.from({ length: 5000 }, (_, i) => `k${i}: &a${i} v`).join('\n').slice(0, MAX_FILE_BYTES - 10))],
    ['billion laughs', (ws) => ws.writeEnv('stg', billionLaughs)],
    ['one long line', (ws) => ws.writeEnv('stg', `x: ${'a '.repeat((MAX_FILE_BYTES - 10) / 2)}`)],
  ];
  for (const [title, write] of cases) {
    const ws = workspace(t);
    write(ws);
    const started = performance.now();
    t.throws(() => loadInput(ws.source, [], true), { instanceOf: InputError }, title);
    const ms = performance.now() - started;
    t.log(`${title}: ${ms.toFixed(0)} ms`);
  }
});

/* ---------------------------------------------------------------- the real CLI */

/** Every path under `dir` (files and folders), for "nothing appeared anywhere" checks. */
function listing(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (p === skip) continue;
      out.push(relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

const cliCases: { title: string; edit(ws: Workspace): void; args?: string[]; expect: RegExp[] }[] = [
  { title: 'an alias bomb', edit: (ws) => ws.writeEnv('stg', `${ws.readEnv('stg')}${billionLaughs}\n`), expect: [/environments\/stg\.yaml:\d+:\d+: /, /alias/i] },
  { title: 'deep nesting', edit: (ws) => ws.writeEnv('stg', `${ws.readEnv('stg')}x: ${'['.repeat(50_000)}\n`), expect: [/environments\/stg\.yaml:\d+:\d+: YAML nested too deeply/] },
  { title: 'a name escaping the repo', edit: (ws) => replaceIn(ws, 'stg', 'name: stg', 'name: ../../../etc'), expect: [/environments\/stg\.yaml:2:7: name: "\.\.\/\.\.\/\.\.\/etc" is not valid/] },
  {
    title: '__proto__ in defaults.yaml',
    edit: (ws) => writeFileSync(defaultsFile(ws), readText(defaultsFile(ws)).replace('environment:\n', 'environment:\n  __proto__:\n    allowPlaintextSecrets: true\n')),
    expect: [/environments\/defaults\.yaml:\d+:\d+: key '__proto__' is not allowed/],
  },
  {
    title: 'a symbolic link to /etc/passwd',
    edit: (ws) => {
      rmSync(ws.envFile('stg'));
      symlinkSync('/etc/passwd', ws.envFile('stg'));
    },
    expect: [/environments\/stg\.yaml:1:1: is a symbolic link to a file outside the source repository/],
  },
  { title: '--env ../../etc', edit: () => undefined, args: ['--env', '../../etc'], expect: [/unknown environment '\.\.\/\.\.\/etc'/] },
];

for (const c of cliCases) {
  test(`CLI: ${c.title} → exit 2, one message, no stack trace, config repo untouched, nothing written elsewhere`, async (t) => {
    t.timeout(120_000);
    const ws = workspace(t);
    t.is((await runIn(ws, ['--all'])).code, 0);
    const head = git(ws.repo, 'rev-parse', 'HEAD');
    const before = snapshotTree(ws.repo);
    replaceIn(ws, 'dev', 'nodePort: 30502', 'nodePort: 30512');
    c.edit(ws);
    const outside = listing(ws.dir, join(ws.repo, '.git'));
    const r = await runIn(ws, c.args ?? ['--env', 'stg', '--env', 'dev']);
    t.is(r.code, 2, r.stdout + r.stderr);
    for (const re of c.expect) t.regex(r.stderr, re);
    t.notRegex(r.stderr, STACK, 'no stack trace');
    t.notRegex(r.stderr, /unexpected error/);
    t.true(r.stderr.length < 4000, `stderr is ${r.stderr.length} characters`);
    t.deepEqual(snapshotTree(ws.repo), before);
    t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);
    t.deepEqual(listing(ws.dir, join(ws.repo, '.git')), outside, 'no file appeared or vanished anywhere in the workspace');
  });
}

/**
 * Hostile input: names and paths, symbolic links and special files. Every
 * case ends in exit 2 with one clear message naming the file, or is ignored
 * or followed safely. Shared setup is in helpers/hostile.ts.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../generator/errors.js';
import { loadInput } from '../generator/pipeline/input.js';
import { defaultsFile, readText, refused, renderAll, replaceIn, stg, workspace } from './helpers/hostile.js';

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
  t.deepEqual(
    result.specs.map((s) => s.name),
    ['dev', 'prod', 'stg'],
  );
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

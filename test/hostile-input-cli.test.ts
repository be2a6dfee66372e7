/**
 * Hostile input through the real CLI: exit 2, one message, no stack trace,
 * the config repo untouched and nothing written elsewhere. Shared setup is in
 * helpers/hostile.ts.
 */
import test from 'ava';
import { readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { git, snapshotTree } from './helpers/git.js';
import { billionLaughs, defaultsFile, readText, replaceIn, STACK, workspace } from './helpers/hostile.js';
import { runIn, type Workspace } from './helpers/workspace.js';

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
  {
    title: 'deep nesting',
    edit: (ws) => ws.writeEnv('stg', `${ws.readEnv('stg')}x: ${'['.repeat(50_000)}\n`),
    expect: [/environments\/stg\.yaml:\d+:\d+: YAML nested too deeply/],
  },
  {
    title: 'a name escaping the repo',
    edit: (ws) => replaceIn(ws, 'stg', 'name: stg', 'name: ../../../etc'),
    expect: [/environments\/stg\.yaml:2:7: name: "\.\.\/\.\.\/\.\.\/etc" is not valid/],
  },
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

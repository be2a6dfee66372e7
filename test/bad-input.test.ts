import test from 'ava';
import { rmSync } from 'node:fs';
import { git, snapshotTree } from './helpers/git.js';
import { makeWorkspace, runIn, type Workspace } from './helpers/workspace.js';

/**
 * Each case edits the shipped environment files of a fresh workspace whose
 * config repo already holds a committed render, then runs `--env stg`: exit 2,
 * one clear message with file:line:col and field, and the repo untouched.
 */
interface Case {
  title: string;
  edit(ws: Workspace): void;
  expect: RegExp[];
}

const replaceIn = (ws: Workspace, env: string, from: string | RegExp, to: string) => {
  const before = ws.readEnv(env);
  const after = before.replace(from, to);
  if (after === before) throw new Error(`test edit did not apply to ${env}.yaml: ${String(from)}`);
  ws.writeEnv(env, after);
};

const cases: Case[] = [
  {
    title: 'YAML syntax error',
    edit: (ws) => replaceIn(ws, 'stg', 'mlflow:\n  nodePort: 30501', 'mlflow:\n  nodePort: [30501'),
    expect: [/environments\/stg\.yaml:\d+:\d+: YAML syntax error/],
  },
  {
    title: 'wrong type',
    edit: (ws) => replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: "thirty"'),
    expect: [/environments\/stg\.yaml:7:13: mlflow\.nodePort: must be integer/],
  },
  {
    title: 'value out of range',
    edit: (ws) => replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: 8080'),
    expect: [/environments\/stg\.yaml:7:13: mlflow\.nodePort: 8080 is out of range/, /30000 to 32767/],
  },
  {
    title: 'unknown key',
    edit: (ws) => replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: 30501\n  nodeport: 30501'),
    expect: [/environments\/stg\.yaml:8:3: mlflow\.nodeport: unknown key 'nodeport'/, /known keys here: .*nodePort/],
  },
  {
    title: 'name not matching the file',
    edit: (ws) => replaceIn(ws, 'stg', 'name: stg', 'name: staging'),
    expect: [/environments\/stg\.yaml:2:7: name: is 'staging' but the file is stg\.yaml/, /set name: stg/],
  },
  {
    title: 'duplicate NodePort across environments',
    edit: (ws) => replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: 30500'),
    expect: [/environments\/stg\.yaml:7:13: mlflow\.nodePort: NodePort 30500 is also used by environment 'prod' \(environments\/prod\.yaml:9:13\)/],
  },
  {
    title: 'duplicate database namespace + name across environments',
    edit: (ws) => replaceIn(ws, 'stg', 'name: stg-postgres', 'name: dev-postgres'),
    expect: [/environments\/stg\.yaml:\d+:9: postgres\.name: PostgreSQL pgsql\/dev-postgres is also used by environment 'dev'/],
  },
  {
    title: 'one cluster name with two API servers',
    edit: (ws) => replaceIn(ws, 'stg', 'argocd:', 'cluster:\n  name: in-cluster\n  server: https://other.example.com:6443\nargocd:'),
    expect: [
      /environments\/stg\.yaml:\d+:11: cluster\.server: cluster 'in-cluster' is https:\/\/kubernetes\.default\.svc in environment 'dev' \(environments\/defaults\.yaml:\d+:\d+\) but https:\/\/other\.example\.com:6443 here/,
    ],
  },
  {
    title: 'plaintext secrets requested for prod',
    edit: (ws) => replaceIn(ws, 'prod', 'argocd:', 'secrets:\n  provider: plain\nargocd:'),
    expect: [/environments\/prod\.yaml:\d+:13: secrets\.provider: plain secrets are refused for a production environment/],
  },
  {
    title: 'plain secrets without allowPlaintextSecrets',
    edit: (ws) => replaceIn(ws, 'stg', 'argocd:', 'secrets:\n  provider: plain\nargocd:'),
    expect: [/secrets\.provider: plain secrets need allowPlaintextSecrets: true/],
  },
  {
    title: 'a document that is not a mapping',
    edit: (ws) => ws.writeEnv('stg', '- name: stg\n- nodePort: 30501\n'),
    expect: [/environments\/stg\.yaml:1:1: must be a mapping of settings, not a list/],
  },
  {
    title: 'an empty file',
    edit: (ws) => ws.writeEnv('stg', '# nothing here\n'),
    expect: [/environments\/stg\.yaml:1:1: file is empty/],
  },
  {
    title: 'duplicate key',
    edit: (ws) => replaceIn(ws, 'stg', 'namespace: mlflow-stg', 'namespace: mlflow-stg\nnamespace: mlflow-other'),
    expect: [/environments\/stg\.yaml:\d+:\d+: YAML duplicate key/],
  },
  {
    title: 'a stage without an environment file (missing environment file)',
    edit: (ws) => rmSync(ws.envFile('prod')),
    expect: [/environments\/defaults\.yaml:\d+:\d+: stages: names 'prod', which has no environment file/, /create environments\/prod\.yaml/],
  },
  {
    title: 'embedded PostgreSQL without a name',
    edit: (ws) => replaceIn(ws, 'stg', /postgres:\n {2}name: stg-postgres\n/, 'postgres:\n'),
    expect: [/postgres: mode embedded needs 'name'/],
  },
];

for (const c of cases) {
  test(`bad input: ${c.title} → exit 2, file:line, nothing written`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    t.is((await runIn(ws, ['--all'])).code, 0);
    const head = git(ws.repo, 'rev-parse', 'HEAD');
    const before = snapshotTree(ws.repo);
    // a change that would be written if the input were valid
    replaceIn(ws, 'dev', 'nodePort: 30502', 'nodePort: 30512');
    c.edit(ws);
    const r = await runIn(ws, ['--env', 'stg', '--env', 'dev']);
    t.is(r.code, 2, r.stdout + r.stderr);
    for (const re of c.expect) t.regex(r.stderr, re);
    t.notRegex(r.stderr, /\n\s+at .+\(.+:\d+:\d+\)/, 'no stack trace');
    t.deepEqual(snapshotTree(ws.repo), before);
    t.is(git(ws.repo, 'rev-parse', 'HEAD'), head);
  });
}

test('bad input on a fresh machine creates no config repo', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: 8080');
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 2);
  t.deepEqual(snapshotTree(ws.repo).size, 0);
});

test('--debug adds the stack trace to an error', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  replaceIn(ws, 'stg', 'nodePort: 30501', 'nodePort: 8080');
  const r = await runIn(ws, ['--env', 'stg', '--debug']);
  t.is(r.code, 2);
  t.regex(r.stderr, /\n\s+at /);
});

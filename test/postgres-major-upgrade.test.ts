import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { git, snapshotTree } from './helpers/git.js';
import { makeWorkspace, runCli, runIn, type CliRun, type Workspace } from './helpers/workspace.js';

/**
 * Issue 13.5: moving an embedded PostgreSQL to another major changes where
 * the official image keeps its data (≤ 17: /var/lib/postgresql/data, ≥ 18:
 * /var/lib/postgresql/<major>/docker), so on the volume that already holds
 * the data the new major would initdb an empty cluster. gen-gitops refuses
 * that against what the config repo runs, and renders an explicit
 * `postgres.majorUpgrade` onto a new StatefulSet, hence a new claim.
 */

const replaceIn = (ws: Workspace, file: string, from: string | RegExp, to: string) => {
  const before = ws.readEnv(file);
  const after = before.replace(from, to);
  if (after === before) throw new Error(`test edit did not apply to ${file}.yaml: ${String(from)}`);
  ws.writeEnv(file, after);
};

/** Sets the PostgreSQL image tag in an environment file (the shipped files inherit it from defaults.yaml). */
const setTag = (ws: Workspace, env: string, tag: string) => {
  if (ws.readEnv(env).includes('    repository: postgres\n')) replaceIn(ws, env, /(\n {4}repository: postgres\n {4}tag: )"[^"]*"/, `$1"${tag}"`);
  else replaceIn(ws, env, 'postgres:\n', `postgres:\n  image:\n    repository: postgres\n    tag: "${tag}"\n`);
};

const OPT_IN = '  majorUpgrade: { from: 17, procedure: new-volume }\n';
const optIn = (ws: Workspace, env: string) => replaceIn(ws, env, 'postgres:\n', `postgres:\n${OPT_IN}`);

/** `file:line:col` of the first occurrence of `needle` in an environment file, as gen-gitops prints it. */
function where(ws: Workspace, file: string, needle: string): string {
  const lines = ws.readEnv(file).split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}.yaml`);
  return `environments/${file}.yaml:${i + 1}:${lines[i]!.indexOf(needle) + 1}`;
}

const manifests = (ws: Workspace, env: string) => join(ws.repo, 'envs', env, 'manifests');
const readObject = (ws: Workspace, env: string, file: string) => parse(readFileSync(join(manifests(ws, env), file), 'utf8'));

/** What a StatefulSet's pod 0 mounts: PVC name (`<claim>-<statefulset>-0`) → mount path, and PGDATA. */
function claims(set: {
  metadata: { name: string };
  spec: {
    volumeClaimTemplates: { metadata: { name: string } }[];
    template: { spec: { containers: { volumeMounts: { name: string; mountPath: string }[]; env: { name: string; value?: string }[] }[] } };
  };
}): { pvc: Map<string, string>; pgdata?: string } {
  const c = set.spec.template.spec.containers[0]!;
  const pvc = new Map<string, string>();
  for (const t of set.spec.volumeClaimTemplates) pvc.set(`${t.metadata.name}-${set.metadata.name}-0`, c.volumeMounts.find((m) => m.name === t.metadata.name)!.mountPath);
  return { pvc, pgdata: c.env.find((e) => e.name === 'PGDATA')?.value };
}

async function render(t: ExecutionContext, ws: Workspace, args: string[]): Promise<CliRun> {
  const r = await runIn(ws, args);
  t.is(r.code, 0, r.stdout + r.stderr);
  return r;
}

/** The config repo as it was: same HEAD, same files, nothing uncommitted, no transaction left. */
function unchanged(t: ExecutionContext, ws: Workspace, head: string, files: Map<string, string>): void {
  t.is(git(ws.repo, 'rev-parse', 'HEAD').trim(), head);
  t.is(git(ws.repo, 'status', '--porcelain'), '');
  t.deepEqual(snapshotTree(ws.repo), files);
  t.false(existsSync(join(ws.repo, '.gen-gitops-txn')));
}

/** The refusal of a 17 → 18 move: where, what, the procedure and the opt-in. */
function refused17to18(t: ExecutionContext, r: CliRun, at: string): void {
  t.is(r.code, 2, r.stdout + r.stderr);
  t.true(
    r.stderr.includes(
      `${at}: postgres.image.tag: changes the embedded PostgreSQL pgsql/stg-postgres from major 17 (postgres:17.10, in the config repo) to major 18 (postgres:18.1)`,
    ),
    r.stderr,
  );
  t.regex(r.stderr, /initialise an empty one, so the data would silently disappear/);
  t.regex(r.stderr, /keep major 17/);
  t.regex(r.stderr, /kubectl -n pgsql exec stg-postgres-0 -- pg_dumpall -U mlflow --clean --if-exists > stg-pg17\.sql/);
  t.regex(r.stderr, /set postgres\.majorUpgrade: \{ from: 17, procedure: new-volume \}/);
  t.regex(r.stderr, /StatefulSet stg-postgres-pg18 on a new volume claim data-stg-postgres-pg18-0, and the claim data-stg-postgres-0 is left untouched/);
  t.regex(r.stderr, /restore the dump/);
  t.notRegex(r.stderr, /\n\s+at .+:\d+:\d+\)/, 'no stack trace');
}

test('issue 13.5: a first render of PostgreSQL 18 is allowed, with or without postgres.majorUpgrade (nothing runs on a volume yet)', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  setTag(ws, 'stg', '18.1');
  optIn(ws, 'dev');
  setTag(ws, 'dev', '18.1');
  const r = await render(t, ws, ['--env', 'stg', '--env', 'dev']);
  t.regex(r.stdout, /committed/);
  const stg = readObject(ws, 'stg', 'statefulset-stg-postgres.yaml');
  t.is(stg.spec.template.spec.containers[0].image, 'postgres:18.1');
  t.deepEqual(claims(stg), { pvc: new Map([['data-stg-postgres-0', '/var/lib/postgresql']]), pgdata: '/var/lib/postgresql/18/docker' });
  // dev copied the setting from a template: a new environment starts on the upgraded name.
  t.deepEqual(claims(readObject(ws, 'dev', 'statefulset-dev-postgres-pg18.yaml')).pvc, new Map([['data-dev-postgres-pg18-0', '/var/lib/postgresql']]));
  t.regex((await render(t, ws, ['--env', 'stg', '--env', 'dev'])).stdout, /up to date/);
});

test('issue 13.5: 17.6 → 17.10 is allowed, and 18.1 → 18.3 on an upgraded volume (a minor upgrade keeps the volume, its mount path and PGDATA)', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  setTag(ws, 'stg', '17.6');
  await render(t, ws, ['--env', 'stg']);
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  setTag(ws, 'stg', '17.10');
  const r = await render(t, ws, ['--env', 'stg']);
  t.regex(r.stdout, /committed/);
  t.not(git(ws.repo, 'rev-parse', 'HEAD').trim(), head);
  const stg = readObject(ws, 'stg', 'statefulset-stg-postgres.yaml');
  t.is(stg.spec.template.spec.containers[0].image, 'postgres:17.10');
  t.deepEqual(claims(stg), { pvc: new Map([['data-stg-postgres-0', '/var/lib/postgresql/data']]), pgdata: '/var/lib/postgresql/data/pgdata' });
  // The image and the version label of the PostgreSQL objects, nothing added or removed.
  t.deepEqual(git(ws.repo, 'diff', '--name-status', head, 'HEAD').trim().split('\n'), [
    'M\tenvs/stg/manifests/service-stg-postgres-headless.yaml',
    'M\tenvs/stg/manifests/service-stg-postgres.yaml',
    'M\tenvs/stg/manifests/statefulset-stg-postgres.yaml',
  ]);

  // The same on the new volume of an upgrade: 18.1 → 18.3 keeps data-dev-postgres-pg18-0.
  setTag(ws, 'dev', '18.1');
  optIn(ws, 'dev');
  await render(t, ws, ['--env', 'dev']);
  setTag(ws, 'dev', '18.3');
  t.regex((await render(t, ws, ['--env', 'dev'])).stdout, /committed/);
  const dev = readObject(ws, 'dev', 'statefulset-dev-postgres-pg18.yaml');
  t.is(dev.spec.template.spec.containers[0].image, 'postgres:18.3');
  t.deepEqual(claims(dev), { pvc: new Map([['data-dev-postgres-pg18-0', '/var/lib/postgresql']]), pgdata: '/var/lib/postgresql/18/docker' });
});

test('issue 13.5: 17 → 18 of a rendered embedded PostgreSQL is refused (exit 2, file:line:col, old and new major, the procedure and the opt-in), nothing written', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  await render(t, ws, ['--all']);
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  const files = snapshotTree(ws.repo);

  // In the environment file: the message points at its tag.
  setTag(ws, 'stg', '18.1');
  refused17to18(t, await runIn(ws, ['--env', 'stg']), where(ws, 'stg', '"18.1"'));
  unchanged(t, ws, head, files);
  // Read-only runs refuse it the same way.
  for (const mode of ['--dry-run', '--check']) refused17to18(t, await runIn(ws, ['--env', 'stg', mode]), where(ws, 'stg', '"18.1"'));
  unchanged(t, ws, head, files);

  // Inherited from defaults.yaml: the message points where stg inherits it from.
  replaceIn(ws, 'stg', /\n {2}image:\n {4}repository: postgres\n {4}tag: "18\.1"\n/, '\n');
  replaceIn(ws, 'defaults', 'tag: "17.10"', 'tag: "18.1"');
  refused17to18(t, await runIn(ws, ['--env', 'stg']), where(ws, 'defaults', '"18.1"'));
  unchanged(t, ws, head, files);
});

test('issue 13.5: promote 17 → 18 into a stage whose config repo runs 17 is refused the same way; with the opt-in in the target file it renders the new volume', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  git(ws.source, 'init', '--quiet');
  setTag(ws, 'dev', '18.1');
  const commit = (message: string) => {
    git(ws.source, 'add', '-A');
    git(ws.source, '-c', 'user.name=A', '-c', 'user.email=a@example.com', 'commit', '--quiet', '-m', message);
  };
  commit('environments');
  await render(t, ws, ['--all']);
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  const files = snapshotTree(ws.repo);
  const stgFile = ws.readEnv('stg');
  const promote = (extra: string[] = []) => runCli(['promote', '--from', 'dev', '--to', 'stg', ...extra, '--source', ws.source, '--repo', ws.repo]);

  for (const extra of [[], ['--dry-run']]) {
    const r = await promote(extra);
    // stg inherits its tag: promote adds postgres.image to stg.yaml, and the message points into the file as it would be.
    t.regex(r.stderr, /environments\/stg\.yaml:\d+:\d+: postgres\.image\.tag: changes the embedded PostgreSQL pgsql\/stg-postgres from major 17/);
    refused17to18(t, r, r.stderr.match(/environments\/stg\.yaml:\d+:\d+/)![0]);
    t.regex(r.stderr, /promote dev → stg changed nothing/);
    t.is(ws.readEnv('stg'), stgFile, 'the target file is left as it was');
    unchanged(t, ws, head, files);
  }

  // The operator states the upgrade in the target file first: it waits (a warning, no change) until promote brings 18.
  optIn(ws, 'stg');
  commit('stg: PostgreSQL 18 goes onto a new volume');
  const waiting = await render(t, ws, ['--env', 'stg']);
  t.regex(waiting.stdout, /up to date/);
  t.regex(waiting.stderr, /postgres\.majorUpgrade: waits: postgres\.image is PostgreSQL 17, not above from: 17/);
  const r = await promote();
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /postgres\.image: postgres:17\.10 → postgres:18\.1/);
  t.false(existsSync(join(manifests(ws, 'stg'), 'statefulset-stg-postgres.yaml')));
  const set = readObject(ws, 'stg', 'statefulset-stg-postgres-pg18.yaml');
  t.deepEqual(claims(set), { pvc: new Map([['data-stg-postgres-pg18-0', '/var/lib/postgresql']]), pgdata: '/var/lib/postgresql/18/docker' });
});

test('issue 13.5: with postgres.majorUpgrade { from: 17, procedure: new-volume } 17 → 18 renders a new StatefulSet and claim; the old PVC name never gets the new mount path', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  await render(t, ws, ['--env', 'stg']);
  const old = readObject(ws, 'stg', 'statefulset-stg-postgres.yaml');
  t.deepEqual(claims(old), { pvc: new Map([['data-stg-postgres-0', '/var/lib/postgresql/data']]), pgdata: '/var/lib/postgresql/data/pgdata' });

  setTag(ws, 'stg', '18.1');
  optIn(ws, 'stg');
  const r = await render(t, ws, ['--env', 'stg']);
  t.regex(r.stdout, /\+ envs\/stg\/manifests\/statefulset-stg-postgres-pg18\.yaml/);
  t.regex(r.stdout, /- envs\/stg\/manifests\/statefulset-stg-postgres\.yaml/);
  const set = readObject(ws, 'stg', 'statefulset-stg-postgres-pg18.yaml');
  t.is(set.metadata.name, 'stg-postgres-pg18');
  t.is(set.spec.template.spec.containers[0].image, 'postgres:18.1');
  const now = claims(set);
  t.deepEqual(now, { pvc: new Map([['data-stg-postgres-pg18-0', '/var/lib/postgresql']]), pgdata: '/var/lib/postgresql/18/docker' });
  t.false(now.pvc.has('data-stg-postgres-0'), 'the old claim is not mounted by the new major');
  // Clients keep the Service name; it selects only the new StatefulSet's pods.
  const service = readObject(ws, 'stg', 'service-stg-postgres.yaml');
  t.is(service.metadata.name, 'stg-postgres');
  t.is(service.spec.selector['app.kubernetes.io/instance'], 'stg-postgres-pg18');
  t.is(set.spec.selector.matchLabels['app.kubernetes.io/instance'], 'stg-postgres-pg18');
  t.is(readObject(ws, 'stg', 'statefulset-stg-postgres-pg18.yaml').spec.serviceName, 'stg-postgres-headless');
  t.regex((await render(t, ws, ['--env', 'stg'])).stdout, /up to date/);

  // Minor upgrades on the new volume stay allowed; the setting stays in the file.
  setTag(ws, 'stg', '18.3');
  await render(t, ws, ['--env', 'stg']);
  t.deepEqual(claims(readObject(ws, 'stg', 'statefulset-stg-postgres-pg18.yaml')).pvc, new Map([['data-stg-postgres-pg18-0', '/var/lib/postgresql']]));
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  const files = snapshotTree(ws.repo);

  // Dropping it would go back to data-stg-postgres-0 (the data from before the upgrade).
  replaceIn(ws, 'stg', OPT_IN, '');
  const dropped = await runIn(ws, ['--env', 'stg']);
  t.is(dropped.code, 2, dropped.stderr);
  t.regex(dropped.stderr, /environments\/stg\.yaml:\d+:\d+: postgres\.majorUpgrade: is missing, but the config repo runs pgsql\/stg-postgres-pg18/);
  t.regex(dropped.stderr, /mount its claim from before the upgrade, data-stg-postgres-0, instead of data-stg-postgres-pg18-0/);
  unchanged(t, ws, head, files);

  // The next major needs `from` to name the major running now.
  setTag(ws, 'stg', '19.0');
  optIn(ws, 'stg');
  const from = await runIn(ws, ['--env', 'stg']);
  t.is(from.code, 2, from.stderr);
  t.true(from.stderr.includes(`${where(ws, 'stg', '17, procedure')}: postgres.majorUpgrade.from`), from.stderr);
  t.regex(from.stderr, /majorUpgrade\.from: is 17, but the config repo runs pgsql\/stg-postgres-pg18 on PostgreSQL 18 \(postgres:18\.3\)/);
  t.regex(from.stderr, /set from: 18/);
  unchanged(t, ws, head, files);
  replaceIn(ws, 'stg', 'from: 17', 'from: 18');
  await render(t, ws, ['--env', 'stg']);
  t.deepEqual(claims(readObject(ws, 'stg', 'statefulset-stg-postgres-pg19.yaml')).pvc, new Map([['data-stg-postgres-pg19-0', '/var/lib/postgresql']]));
});

test("issue 13.5: a data directory that would move without a known major change is refused too (18 → a digest alone); 17 → a digest alone keeps today's behaviour", async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const digest = `sha256:${'1'.repeat(64)}`;
  setTag(ws, 'stg', '18.1');
  await render(t, ws, ['--all']);
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  const files = snapshotTree(ws.repo);

  // A digest alone names no major: the chart falls back to the ≤ 17 layout, which would hide 18's data.
  replaceIn(ws, 'stg', /\n {4}tag: "18\.1"\n/, '\n');
  replaceIn(ws, 'defaults', 'tag: "17.10"', `digest: ${digest}`);
  const r = await runIn(ws, ['--env', 'stg']);
  t.is(r.code, 2, r.stderr);
  t.true(r.stderr.includes(`${where(ws, 'defaults', digest)}: postgres.image: moves the data directory of the embedded PostgreSQL pgsql/stg-postgres`), r.stderr);
  t.regex(r.stderr, /from \/var\/lib\/postgresql\/18\/docker \(volume at \/var\/lib\/postgresql; postgres:18\.1, major 18\) to \/var\/lib\/postgresql\/data\/pgdata/);
  t.regex(r.stderr, /keep naming major 18 in the tag \(e\.g\. tag: "18\.1", with the digest next to it/);
  unchanged(t, ws, head, files);

  // dev runs 17: its major cannot be told from a digest alone, the layout stays, so it renders as before.
  const dev = await render(t, ws, ['--env', 'dev']);
  t.regex(dev.stdout, /committed/);
  t.is(readObject(ws, 'dev', 'statefulset-dev-postgres.yaml').spec.template.spec.containers[0].image, `postgres@${digest}`);
});

test('issue 13.5: postgres.majorUpgrade is checked on its own: the tag must name the major, and only an embedded PostgreSQL takes it', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  optIn(ws, 'stg');
  replaceIn(ws, 'defaults', 'tag: "17.10"', 'tag: latest');
  const latest = await runIn(ws, ['--env', 'stg']);
  t.is(latest.code, 2, latest.stderr);
  t.regex(latest.stderr, /postgres\.image: postgres\.majorUpgrade needs to know the new major version, but the image tag 'latest' does not start with it/);
  replaceIn(ws, 'defaults', 'tag: latest', 'tag: "17.10"');
  replaceIn(ws, 'stg', `postgres:\n${OPT_IN}`, `postgres:\n  majorUpgrade: { from: 17, procedure: pg_upgrade }\n`);
  const procedure = await runIn(ws, ['--env', 'stg']);
  t.is(procedure.code, 2);
  t.regex(procedure.stderr, /postgres\.majorUpgrade\.procedure: must be one of: new-volume/);
  replaceIn(ws, 'stg', /postgres:\n.*\n {2}name: stg-postgres\n/, `postgres:\n  mode: external\n  host: db.example.com\n${OPT_IN}`);
  const external = await runIn(ws, ['--env', 'stg']);
  t.is(external.code, 2);
  t.true(external.stderr.includes(`${where(ws, 'stg', 'majorUpgrade')}: postgres.majorUpgrade: does not apply to mode external`), external.stderr);
  t.false(existsSync(ws.repo));
});

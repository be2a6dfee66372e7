/**
 * fast-check arbitraries for environment files: valid environment sets
 * (test/properties.test.ts property a) and mutations of them (property b).
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parse, parseDocument, stringify, type Node } from 'yaml';
import { quantity } from '../../generator/environment/validate.js';
import { CREDENTIALS, GENERATED_LENGTH, credentialEnvVar } from '../../generator/secrets/credentials.js';
import { projectRoot } from './workspace.js';

/** Runs and seed: fixed in CI, overridable to search longer (README "Safety"). */
export function fcParameters(defaultRuns: number): { numRuns: number; seed: number } {
  const runs = Number(process.env.GEN_GITOPS_FC_RUNS);
  const seed = Number(process.env.GEN_GITOPS_FC_SEED);
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    seed: Number.isInteger(seed) ? seed : 20261125,
  };
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface GeneratedEnv {
  name: string;
  value: { [k: string]: Json };
  /** How the file is written: YAML block style, YAML flow style, or JSON (a YAML subset). */
  format: 'block' | 'flow' | 'json';
  /** Starts with a UTF-8 byte order mark (must be accepted). */
  bom: boolean;
}

export interface EnvironmentSet {
  envs: GeneratedEnv[];
  /** No defaults.yaml, or the shipped one (merged under every file) with `stages` set to these names. */
  defaults: { kind: 'none' } | { kind: 'shipped'; stages: string[] };
}

const isProductionName = (n: string) => n === 'prod' || n === 'production';

export const envName = fc
  .oneof(
    { weight: 1, arbitrary: fc.constantFrom('dev', 'stg', 'prod', 'production', 'qa', 'a', 'team-1') },
    { weight: 3, arbitrary: fc.stringMatching(/^[a-z]([-a-z0-9]{0,12}[a-z0-9])?$/) },
  )
  .filter((n) => n !== 'defaults');

const pgIdentifier = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/);
const memory = fc.tuple(fc.integer({ min: 1, max: 4096 }), fc.constantFrom('Ki', 'Mi', 'Gi', 'Ti')).map(([n, u]) => `${n}${u}`);
const cpu: fc.Arbitrary<string | number> = fc.oneof(
  fc.integer({ min: 1, max: 64000 }).map((m) => `${m}m`),
  fc.integer({ min: 1, max: 64 }),
  fc.constantFrom(0.5, 0.25, 1.5, '1', '2', '0.5', '1.25'),
);
/** Container memory is rendered in whole Mi, so Ki only in multiples of 1024. */
const containerMemory = fc.oneof(
  memory.filter((m) => !m.endsWith('Ki')),
  fc.integer({ min: 1, max: 64 }).map((n) => `${n * 1024}Ki`),
);
const resourceSet = fc.record({ cpu, memory: containerMemory });
/** Requests at most their limits, as the API server requires (issue 14.10): the larger of two draws is the limit. */
const resources = fc.record({ a: resourceSet, b: resourceSet }).map(({ a, b }) => {
  const pick = (k: 'cpu' | 'memory') => (quantity(a[k]) <= quantity(b[k]) ? [a[k], b[k]] : [b[k], a[k]]);
  const [cpuReq, cpuLim] = pick('cpu');
  const [memReq, memLim] = pick('memory');
  return { requests: { cpu: cpuReq!, memory: memReq! }, limits: { cpu: cpuLim!, memory: memLim! } };
});
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
// Release-shaped -full tags are left out: below v3.9.0 they are refused for ghcr.io/mlflow/mlflow (issue 13.1), and valid sets must stay valid.
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/).filter((t) => !/^v\d+\.\d+\.\d+-full$/.test(t));
function image(repositories: string[], tags: string[]): fc.Arbitrary<{ [k: string]: Json }> {
  const repository = fc.oneof(fc.constantFrom(...repositories), fc.stringMatching(/^[a-z0-9]{1,8}(\/[a-z0-9]{1,8}){0,2}$/));
  return fc.oneof(
    fc.record({ repository, tag: fc.oneof(fc.constantFrom(...tags), tag) }),
    fc.record({ repository, digest }),
    fc.record({ repository, tag: fc.constantFrom(...tags), digest }),
  );
}
const storage = fc.record({ size: memory, storageClassName: fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,14}[a-z0-9])?$/) }, { requiredKeys: ['size'] });
const hostname = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?){0,3}$/);
/** Cluster names with one fixed API server each (a cluster has one server). */
const clusters = [
  { name: 'in-cluster', server: 'https://kubernetes.default.svc' },
  { name: 'edge', server: 'https://10.0.0.1:6443' },
  { name: 'c2', server: 'https://k8s.example.com/k8s/clusters/c-1' },
];

/** One environment file's settings; `nodePort` is drawn for the whole set (unique), the rest here. */
function environmentBody(name: string, nodePort: number): fc.Arbitrary<{ [k: string]: Json }> {
  return fc
    .record({
      production: isProductionName(name) ? fc.constant(true) : fc.boolean(),
      plain: fc.boolean(),
      cluster: fc.constantFrom(...clusters),
      sync: fc.constantFrom('automated', 'manual'),
      mlflow: fc.record(
        {
          image: image(['ghcr.io/mlflow/mlflow', 'registry.example.com/ml/mlflow'], ['v3.17.2-full', 'v3.6.0', 'latest']),
          replicas: fc.integer({ min: 1, max: 20 }),
          workers: fc.integer({ min: 1, max: 32 }),
          runAsUser: fc.integer({ min: 1, max: 2147483647 }),
          resources,
          allowedHosts: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9.*:-]{1,30}$/), { maxLength: 4 }),
          auth: fc.record(
            { adminUser: fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/), defaultPermission: fc.constantFrom('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS') },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: ['image', 'replicas'] },
      ),
      postgres: fc.oneof(
        fc.record(
          {
            mode: fc.constant('embedded'),
            namespace: fc.constantFrom('pgsql', 'data', `${name}-data`),
            image: image(['postgres', 'docker.io/library/postgres'], ['17.6', '18-alpine', '16.4-bookworm', 'latest']),
            storage,
            resources,
            runAsUser: fc.integer({ min: 1, max: 65535 }),
          },
          { requiredKeys: ['mode', 'namespace', 'image', 'storage'] },
        ),
        fc.record({ mode: fc.constant('external'), host: hostname, sslMode: fc.constantFrom('disable', 'require', 'verify-full') }, { requiredKeys: ['mode', 'host'] }),
      ),
      pgPort: fc.integer({ min: 1, max: 65535 }),
      database: pgIdentifier,
      authDatabase: pgIdentifier,
      user: pgIdentifier,
      minio: fc.oneof(
        fc.record(
          {
            mode: fc.constant('embedded'),
            namespace: fc.constantFrom('pgsql', 'data', `${name}-data`),
            port: fc.integer({ min: 1, max: 65535 }),
            image: image(['quay.io/minio/minio'], ['RELEASE.2025-09-07T16-13-09Z']),
            storage,
            resources,
            runAsUser: fc.integer({ min: 1, max: 65535 }),
          },
          { requiredKeys: ['mode', 'namespace', 'image', 'storage'] },
        ),
        fc.record(
          {
            mode: fc.constant('external'),
            endpoint: fc
              .tuple(fc.constantFrom('http', 'https'), hostname, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.boolean())
              .map(([s, h, p, slash]) => `${s}://${h}${p === undefined ? '' : `:${p}`}${slash ? '/' : ''}`),
          },
          { requiredKeys: ['mode', 'endpoint'] },
        ),
      ),
      bucket: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/),
      region: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    })
    .map((r) => {
      const production = r.production;
      const plain = !production && r.plain;
      const body: { [k: string]: Json } = {
        name,
        ...(production && !isProductionName(name) ? { production: true } : {}),
        namespace: `mlflow-${name}`,
        cluster: r.cluster,
        argocd: { sync: r.sync },
        ...(plain ? { allowPlaintextSecrets: true } : {}),
        secrets: { provider: plain ? 'plain' : 'existing' },
        mlflow: { ...(r.mlflow as { [k: string]: Json }), nodePort },
        postgres: {
          ...(r.postgres as { [k: string]: Json }),
          ...(r.postgres.mode === 'embedded' ? { name: `${name}-postgres` } : {}),
          port: r.pgPort,
          database: r.database,
          authDatabase: r.authDatabase,
          user: r.user,
        },
        minio: {
          ...(r.minio as { [k: string]: Json }),
          ...(r.minio.mode === 'embedded' ? { name: `${name}-minio` } : {}),
          bucket: r.bucket,
          region: r.region,
        },
      };
      return body;
    });
}

/** 1–4 environments with unique names and NodePorts, each written in a random format. */
export const environmentSet: fc.Arbitrary<EnvironmentSet> = fc
  .uniqueArray(envName, { minLength: 1, maxLength: 4 })
  .chain((names) =>
    fc.record({
      names: fc.constant(names),
      nodePorts: fc.uniqueArray(fc.integer({ min: 30000, max: 32767 }), { minLength: names.length, maxLength: names.length }),
      formats: fc.array(fc.constantFrom('block' as const, 'flow' as const, 'json' as const), { minLength: names.length, maxLength: names.length }),
      boms: fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }),
      defaults: fc.oneof(
        fc.constant({ kind: 'none' as const }),
        fc.shuffledSubarray(names).map((stages) => ({ kind: 'shipped' as const, stages })),
      ),
    }),
  )
  .chain(({ names, nodePorts, formats, boms, defaults }) =>
    fc.tuple(...names.map((n, i) => environmentBody(n, nodePorts[i]!))).map((bodies) => ({
      envs: bodies.map((value, i) => ({ name: names[i]!, value, format: formats[i]!, bom: boms[i]! })),
      defaults,
    })),
  );

export function formatFile(env: GeneratedEnv): string {
  const text =
    env.format === 'json'
      ? `${JSON.stringify(env.value, null, 2)}\n`
      : env.format === 'flow'
        ? stringify(env.value, { collectionStyle: 'flow' })
        : `# ${env.name}\n${stringify(env.value)}`;
  return env.bom ? `\ufeff${text}` : text;
}

export function defaultsFile(set: EnvironmentSet): string | undefined {
  if (set.defaults.kind === 'none') return undefined;
  const shipped = parse(readFileSync(join(projectRoot, 'environments', 'defaults.yaml'), 'utf8')) as { [k: string]: Json };
  return stringify({ ...shipped, stages: set.defaults.stages });
}

/** A temporary source repository (a folder holding environments/). */
export interface SourceDir {
  dir: string;
  cleanup(): void;
}

export function writeSourceDir(files: Map<string, string | Uint8Array>): SourceDir {
  const dir = mkdtempSync(join(tmpdir(), 'gen-gitops-prop-'));
  const envDir = join(dir, 'environments');
  mkdirSync(envDir);
  for (const [name, content] of files) writeFileSync(join(envDir, name), content);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function filesOf(set: EnvironmentSet): Map<string, string> {
  const files = new Map<string, string>();
  const defaults = defaultsFile(set);
  if (defaults !== undefined) files.set('defaults.yaml', defaults);
  for (const env of set.envs) files.set(`${env.name}.yaml`, formatFile(env));
  return files;
}

/**
 * Every credential of every environment, supplied through the process
 * environment (GEN_GITOPS_<ENV>_<ID>): the plain provider then never
 * generates random values, so two renders can be compared byte for byte.
 */
export function deterministicCredentials(envs: string[]): Record<string, string> {
  const environ: Record<string, string> = {};
  for (const env of envs) {
    for (const id of CREDENTIALS) {
      const seed = `${id}Q${env.replace(/[^a-z0-9]/g, '')}abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`;
      environ[credentialEnvVar(env, id)] = seed.slice(0, GENERATED_LENGTH[id]);
    }
  }
  return environ;
}

/* ------------------------------------------------------------------ mutations */

/** Raw YAML put in place of a value: hostile, odd or plainly broken. */
export const HOSTILE_SNIPPETS = [
  '&a [*a, *a]',
  '*undefined_alias',
  '!!binary aGVsbG8=',
  '!!js/function "function () {}"',
  '!custom x',
  '!!set {a, b}',
  '"{{ .Values.secret }}"',
  '"{{ path.basename }}"',
  '$(id)',
  '"`id`"',
  '"a\\nb"',
  '"\\0"',
  '"\\u202e"',
  '.nan',
  '.inf',
  '-.inf',
  '1e309',
  '-0',
  '0x10',
  '0o17',
  '30000.0',
  '123456789012345678901234567890',
  '[[[[[[',
  '{a: 1, a: 2}',
  '|\n  multi\n  line',
  "'it''s'",
  '~',
  '""',
  `"${'x'.repeat(5000)}"`,
  '{__proto__: {polluted: 1}}',
  '{constructor: {prototype: {polluted: 1}}}',
  '[1, [2, [3, [4]]]]',
  '{? [a]: b}',
  '../../etc',
  '/etc/passwd',
  '.git',
  'envs/../x',
  'UPPER',
  '-',
  ':',
  '@',
  '%',
];

export type Mutation =
  | { kind: 'delete'; file: number; path: number }
  | { kind: 'retype'; file: number; path: number; value: unknown }
  | { kind: 'hostile'; file: number; path: number; snippet: string }
  | { kind: 'rename'; file: number; path: number; key: string }
  | { kind: 'duplicateLine'; file: number; line: number }
  | { kind: 'deleteLine'; file: number; line: number }
  | { kind: 'flip'; file: number; at: number; byte: number }
  | { kind: 'insert'; file: number; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; file: number; at: number };

const index = fc.nat({ max: 1_000_000 });
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), file: index, path: index }),
  fc.record({ kind: fc.constant('retype' as const), file: index, path: index, value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2 })) }),
  fc.record({ kind: fc.constant('hostile' as const), file: index, path: index, snippet: fc.constantFrom(...HOSTILE_SNIPPETS) }),
  fc.record({
    kind: fc.constant('rename' as const),
    file: index,
    path: index,
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'name', 'mlflow', '<<', ''), fc.string({ maxLength: 12 })),
  }),
  fc.record({ kind: fc.constant('duplicateLine' as const), file: index, line: index }),
  fc.record({ kind: fc.constant('deleteLine' as const), file: index, line: index }),
  fc.record({ kind: fc.constant('flip' as const), file: index, at: index, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), file: index, at: index, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), file: index, at: index }),
);

/** Paths (as key lists) of every node in a parsed document, root first. */
function nodePaths(node: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  const n = node as Node | null;
  if (isMap(n)) {
    for (const item of n.items) {
      const key = isScalar(item.key) ? item.key.value : undefined;
      if (typeof key === 'string' || typeof key === 'number') nodePaths(item.value, [...prefix, key], out);
    }
  } else if (isSeq(n)) n.items.forEach((item, i) => nodePaths(item, [...prefix, i], out));
  return out;
}

/** Applies one mutation to the file contents (bytes); structural ones fall back to a byte change when the file does not parse. */
export function applyMutation(files: Map<string, Buffer>, m: Mutation): void {
  const names = [...files.keys()].sort();
  const name = names[m.file % names.length]!;
  const bytes = files.get(name)!;
  const set = (b: Buffer): void => {
    files.set(name, b);
  };
  switch (m.kind) {
    case 'flip': {
      if (bytes.length === 0) return set(Buffer.from([m.byte]));
      const b = Buffer.from(bytes);
      b[m.at % b.length] = m.byte;
      return set(b);
    }
    case 'insert': {
      const at = m.at % (bytes.length + 1);
      return set(Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]));
    }
    case 'truncate':
      return set(bytes.subarray(0, m.at % (bytes.length + 1)));
    case 'duplicateLine':
    case 'deleteLine': {
      const lines = bytes.toString('utf8').split('\n');
      const i = m.line % lines.length;
      if (m.kind === 'duplicateLine') lines.splice(i, 0, lines[i]!);
      else lines.splice(i, 1);
      return set(Buffer.from(lines.join('\n')));
    }
    default: {
      let text: string | undefined;
      try {
        text = structural(bytes.toString('utf8'), m);
      } catch {
        // a value the YAML library cannot represent: change the bytes instead
      }
      if (text === undefined) return applyMutation(files, { kind: 'flip', file: m.file, at: m.path, byte: 0x5b });
      return set(Buffer.from(text));
    }
  }
}

/** The text after a structural mutation, or undefined when the file does not parse as YAML. */
function structural(source: string, m: Extract<Mutation, { path: number }>): string | undefined {
  const doc = parseDocument(source);
  if (doc.errors.length > 0) return undefined;
  const paths = nodePaths(doc.contents).slice(1);
  if (paths.length === 0) return source;
  const path = paths[m.path % paths.length]!;
  switch (m.kind) {
    case 'delete':
      doc.deleteIn(path);
      return doc.toString();
    case 'retype':
      doc.setIn(path, doc.createNode(m.value));
      return doc.toString();
    case 'rename': {
      const value = doc.getIn(path, true);
      doc.deleteIn(path);
      const parent = path.slice(0, -1);
      if (parent.length === 0 || isMap(doc.getIn(parent, true))) doc.setIn([...parent, m.key], value);
      return doc.toString();
    }
    case 'hostile': {
      const marker = `HOSTILE_SNIPPET_${m.path}`;
      doc.setIn(path, marker);
      const snippet = m.snippet.replace(/\n/g, `\n${' '.repeat(2 * path.length)}`);
      return doc.toString().replace(marker, () => snippet);
    }
  }
}

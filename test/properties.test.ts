/**
 * Property tests (fast-check). Fixed seed and few runs by default so CI is
 * reproducible and quick; search longer with
 *   GEN_GITOPS_FC_RUNS=500 GEN_GITOPS_FC_SEED=$RANDOM npx ava test/properties.test.ts --timeout=30m
 * A failure prints the seed and the shrunk counterexample; rerun with that seed.
 */
import test from 'ava';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { checkManifests, schemaErrors } from '../generator/check/schema.js';
import { InputError } from '../generator/errors.js';
import { loadInput } from '../generator/pipeline/input.js';
import { renderChecked } from '../generator/pipeline/render.js';
import { ConfigRepoSnapshot } from '../generator/pipeline/snapshot.js';
import { applyMutation, deterministicCredentials, environmentSet, fcParameters, filesOf, mutation, writeSourceDir, type EnvironmentSet } from './helpers/arbitraries.js';

/** A config-repo path gen-gitops may write: relative, normalised, inside its own folders, never .git. */
function assertSafePath(path: string): void {
  assert.ok(!path.startsWith('/') && !path.includes('\\'), `absolute or backslash path ${path}`);
  const segments = path.split('/');
  assert.ok(
    segments.every((s) => s !== '' && s !== '.' && s !== '..' && s.toLowerCase() !== '.git'),
    `unsafe path ${path}`,
  );
  assert.ok(/^(envs|cluster-resources|argocd)\//.test(path) || path === 'README.md', `path outside gen-gitops's folders: ${path}`);
}

const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');

async function renderSet(set: EnvironmentSet, files: Map<string, string | Uint8Array> = filesOf(set)) {
  const src = writeSourceDir(files);
  try {
    const input = loadInput(src.dir, [], true);
    return await renderChecked(input, ConfigRepoSnapshot.empty(), { environ: deterministicCredentials(set.envs.map((e) => e.name)) });
  } finally {
    src.cleanup();
  }
}

test('property: every valid environment set renders, deterministically, into schema-valid objects inside the config repo', async (t) => {
  const { numRuns, seed } = fcParameters(12);
  t.timeout(Math.max(120_000, numRuns * 10_000));
  await fc.assert(
    fc.asyncProperty(environmentSet, async (set) => {
      // Rendered twice, from two different folders: the output depends on the input only.
      const first = await renderSet(set);
      const second = await renderSet(set);
      assert.deepEqual([...second.files], [...first.files], 'two renders differ');
      assert.deepEqual(
        first.specs.map((s) => s.name),
        set.envs.map((e) => e.name).sort(),
      );
      for (const path of first.files.keys()) assertSafePath(path);
      for (const { path, object } of first.objects) {
        const errors = await schemaErrors(object as unknown as Record<string, unknown>);
        assert.deepEqual(errors, [], `${path} ${object.kind}/${object.metadata.name}`);
      }
      assert.deepEqual(await checkManifests(first.objects as unknown as { path: string; object: Record<string, unknown> }[]), []);
    }),
    { numRuns, seed, includeErrorInReport: true },
  );
  t.pass();
});

test('property: a mutated environment set renders validly or fails with an InputError (exit 2) — nothing else', async (t) => {
  const { numRuns, seed } = fcParameters(60);
  t.timeout(Math.max(120_000, numRuns * 5_000));
  const before = prototypeKeys();
  let rendered = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(environmentSet, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (set, mutations) => {
      const files = new Map([...filesOf(set)].map(([name, text]) => [name, Buffer.from(text)]));
      for (const m of mutations) applyMutation(files, m);
      try {
        const result = await renderSet(set, new Map([...files]));
        for (const path of result.files.keys()) assertSafePath(path);
        rendered++;
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`expected an InputError, got ${(e as Error)?.stack ?? String(e)}`);
        assert.equal(e.exitCode, 2);
        assert.ok(e.message.length > 0 && e.problems.length > 0);
        assert.doesNotMatch(e.message, /\n\s+at .+:\d+:\d+\)?$/m, 'a stack trace in the message');
        refused++;
      }
      assert.equal(prototypeKeys(), before, 'Object.prototype changed');
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype polluted');
    }),
    { numRuns, seed, includeErrorInReport: true },
  );
  t.log(`${rendered} mutated sets rendered, ${refused} refused with exit 2`);
  t.true(refused > 0);
});

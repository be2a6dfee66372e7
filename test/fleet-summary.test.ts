import test from 'ava';
import { planChanges, summarize } from '../generator/render/plan.js';
import { nameList } from '../generator/render/templates.js';
import { FILE_LIST_LIMIT, formatGenerateResult } from '../generator/report.js';
import { commitMessage } from '../generator/render/commit-message.js';
import type { GenerateResult } from '../generator/pipeline/result.js';

/** A plan adding `perEnv` files to each of `n` environment folders. */
function fleetPlan(n: number, perEnv: number) {
  const envs = Array.from({ length: n }, (_, i) => `tenant${String(i).padStart(4, '0')}-dev`);
  const rendered = new Map<string, string>();
  for (const e of envs) for (let f = 0; f < perEnv; f++) rendered.set(`envs/${e}/manifests/object-${f}.yaml`, `n: ${f}\n`);
  const plan = planChanges(
    rendered,
    new Map(),
    envs.map((e) => `envs/${e}/manifests`),
  );
  return { envs, plan, groups: summarize(plan) };
}

test('nameList keeps one-line summaries short: all names when few, else the first ones and a count', (t) => {
  t.is(nameList(['dev', 'stg']), 'dev, stg');
  t.is(nameList(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']), 'a, b, c, d, e, f, g, h');
  t.is(nameList(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']), 'a, b, c, d, e, f, g and 2 more');
});

test('a small render lists every file in the output and the commit message', (t) => {
  const { envs, plan, groups } = fleetPlan(2, 3);
  const message = commitMessage(envs, groups);
  t.is(message.split('\n')[0], `gen-gitops: render ${envs.join(', ')}`);
  t.true(message.includes(`  + envs/${envs[0]}/manifests/object-2.yaml`));
  const result: GenerateResult = { status: 'committed', environments: envs, plan, groups, diffs: [], warnings: [], repo: '/r', commit: 'a'.repeat(40) };
  const out = formatGenerateResult(result, { dryRun: false });
  t.true(out.includes(`    + envs/${envs[1]}/manifests/object-0.yaml`));
});

test('a fleet render keeps the subject to one short line and gives per-folder counts instead of thousands of paths', (t) => {
  const { envs, plan, groups } = fleetPlan(200, 14);
  t.true(plan.changes.length > FILE_LIST_LIMIT);
  const message = commitMessage(envs, groups);
  const [subject = '', ...body] = message.split('\n');
  t.is(subject, `gen-gitops: render ${envs.slice(0, 7).join(', ')} and 193 more`);
  t.true(body.includes(`${envs[150]}: 14 added, 0 changed, 0 removed`), 'every folder still has its counts');
  t.false(message.includes('object-3.yaml'), 'no per-file lines');
  const result: GenerateResult = { status: 'committed', environments: envs, plan, groups, diffs: [], warnings: [], repo: '/r', commit: 'b'.repeat(40) };
  const out = formatGenerateResult(result, { dryRun: false });
  t.is(out[0], `${nameList(envs)}: wrote 2800 files in /r`);
  t.is(out.filter((l) => l.startsWith('    + ')).length, 0);
  t.true(out.includes(`  (2800 files: too many to list; \`git show --stat\` in the config repo lists them)`));
});

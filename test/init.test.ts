import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitCount, git, snapshotTree } from './helpers/git.js';
import { genGitopsInvocations, parseWorkflow, unknownOptions } from './helpers/workflow.js';
import { projectRoot, runCli } from './helpers/workspace.js';

const SCAFFOLD = [
  '.github/workflows/gen-gitops.yml',
  '.gitignore',
  'README.md',
  'environments/defaults.yaml',
  'environments/dev.yaml',
  'environments/prod.yaml',
  'environments/stg.yaml',
];

function scratch(t: { teardown(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gen-gitops-init-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('issue 16.3: gen-gitops init [dir] scaffolds a platform repository (shipped environments, README, .gitignore, workflow) in which the everyday commands work', async (t) => {
  const root = scratch(t);
  const dir = join(root, 'platform');
  const r = await runCli(['init', dir]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual([...snapshotTree(dir).keys()].sort(), SCAFFOLD);
  for (const env of ['defaults', 'dev', 'stg', 'prod']) {
    t.is(
      readFileSync(join(dir, 'environments', `${env}.yaml`), 'utf8'),
      readFileSync(join(projectRoot, 'environments', `${env}.yaml`), 'utf8'),
      `${env}.yaml as shipped, comments included`,
    );
  }
  t.regex(readFileSync(join(dir, 'environments/defaults.yaml'), 'utf8'), /^# /m);
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  t.regex(readme, /npx gen-gitops --env dev/);
  t.regex(readme, /npx gen-gitops --all --pr --repo/);
  t.regex(readme, /GEN_GITOPS_CONFIG_REPO/);
  t.regex(readme, /GEN_GITOPS_TOKEN/);
  t.regex(readFileSync(join(dir, '.gitignore'), 'utf8'), /^gitops\/$/m);
  t.true(existsSync(join(dir, '.git')), 'a Git repository, so the default ./gitops is ignored by it');
  t.regex(r.stdout, /\+ \.github\/workflows\/gen-gitops\.yml/);

  // The everyday commands, with the defaults (--source . and --repo ./gitops), from inside it.
  const render = await runCli(['--env', 'dev'], { cwd: dir });
  t.is(render.code, 0, render.stderr);
  t.is(commitCount(join(dir, 'gitops')), 1);
  t.is(git(dir, 'status', '--porcelain', '--', 'gitops'), '', 'the config repo is ignored by the platform repository');
  const validate = await runCli(['validate'], { cwd: dir });
  t.is(validate.code, 0, validate.stderr);

  // The workflow: valid YAML, both triggers, and only gen-gitops commands and options that exist.
  const wf = parseWorkflow(readFileSync(join(dir, '.github/workflows/gen-gitops.yml'), 'utf8'));
  t.truthy(wf.on.pull_request !== undefined && wf.on.push !== undefined);
  t.regex(wf.jobs.plan!.if!, /pull_request/);
  t.regex(wf.jobs.deliver!.if!, /github\.ref_name == github\.event\.repository\.default_branch/);
  const calls = genGitopsInvocations(wf);
  t.deepEqual(calls.map((c) => c.command).sort(), ['', '', 'validate']);
  t.true(
    calls.some((c) => ['--all', '--dry-run', '--diff', '--repo'].every((o) => c.options.includes(o))),
    'pull requests: a dry run with the diff',
  );
  t.true(
    calls.some((c) => ['--all', '--pr', '--repo'].every((o) => c.options.includes(o))),
    'merges: --all --pr',
  );
  for (const c of calls) {
    const help = await runCli([...(c.command ? [c.command] : []), '--help']);
    t.is(help.code, 0, help.stderr);
    t.deepEqual(unknownOptions(c, help.stdout), [], c.line);
  }
  const plan = wf.jobs.plan!.steps.find((s) => s.run?.includes('--dry-run'))!;
  t.regex(plan.run!, /GITHUB_STEP_SUMMARY/);
  t.deepEqual(Object.keys(plan.env ?? {}).sort(), ['CONFIG_REPO', 'GITHUB_TOKEN']);
  t.regex(plan.env!.GITHUB_TOKEN!, /secrets\.GEN_GITOPS_TOKEN/);
  t.regex(plan.env!.CONFIG_REPO!, /vars\.GEN_GITOPS_CONFIG_REPO/);
});

test('issue 16.3: init refuses a folder that is not empty unless --force, which only adds the missing files', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'README.md'), '# our platform\n');
  mkdirSync(join(dir, 'environments'));
  writeFileSync(join(dir, 'environments', 'dev.yaml'), '# ours\nname: dev\n');
  const before = snapshotTree(dir);

  const refused = await runCli(['init'], { cwd: dir });
  t.is(refused.code, 2);
  t.regex(refused.stderr, /is not empty \(README\.md, environments\).*\n.*--force/);
  t.deepEqual(snapshotTree(dir), before, 'nothing written');
  t.false(existsSync(join(dir, '.git')));

  const forced = await runCli(['init', '--force'], { cwd: dir });
  t.is(forced.code, 0, forced.stderr);
  const after = snapshotTree(dir);
  t.deepEqual([...after.keys()].sort(), SCAFFOLD);
  t.is(after.get('README.md'), '# our platform\n', 'an existing file is left as it is');
  t.is(after.get('environments/dev.yaml'), '# ours\nname: dev\n');
  t.regex(forced.stdout, /= README\.md \(exists: left as it is\)/);

  // A fresh npm project (package.json, node_modules, .git) counts as empty.
  const fresh = scratch(t);
  writeFileSync(join(fresh, 'package.json'), '{ "name": "platform", "private": true, "devDependencies": { "gen-gitops": "^0.1.0" } }\n');
  mkdirSync(join(fresh, 'node_modules'));
  git(fresh, 'init', '--quiet');
  const ok = await runCli(['init'], { cwd: fresh });
  t.is(ok.code, 0, ok.stderr);
  t.notRegex(ok.stdout, /npm install --save-dev/);
  t.notRegex(ok.stdout, /git init/, 'an existing Git repository is used as it is');
});

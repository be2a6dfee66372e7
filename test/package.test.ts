import test from 'ava';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitCount, git } from './helpers/git.js';
import { installPacked, run, tarballFiles, userEnv } from './helpers/package.js';
import { parseWorkflow } from './helpers/workflow.js';
import { projectRoot } from './helpers/workspace.js';

/** What a user of the package needs: anything else in the tarball is a leak (tests, fixtures, caches, bench). */
const SHIPPED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^bin\/gen-gitops\.js$/,
  /^dist\/generator\/.+\.js$/,
  /^dist\/schemas\/[a-z-]+\.validate\.cjs$/,
  /^schemas\/[a-z-]+\.schema\.json$/,
  /^templates\/.+/,
  /^applicationsets\/[a-z-]+\.yaml$/,
  // `gen-gitops init` starts a platform repository from the shipped environment files.
  /^environments\/[a-z-]+\.yaml$/,
];

test('issue 16.4: npm pack ships the built CLI, schemas, templates, applicationsets, README and licence, nothing else; installed from the tarball into an empty folder it runs', async (t) => {
  t.timeout(5 * 60_000);
  const project = await installPacked();
  t.teardown(project.cleanup);
  const files = await tarballFiles(project.tgz);

  const must = [
    'package.json',
    'README.md',
    'LICENSE',
    'bin/gen-gitops.js',
    'dist/generator/cli.js',
    'dist/generator/run.js',
    // Every precompiled schema validator the build made, and every schema and asset the checkout has.
    ...readdirSync(join(projectRoot, 'dist', 'schemas'))
      .filter((f) => f.endsWith('.validate.cjs'))
      .map((f) => `dist/schemas/${f}`),
    ...readdirSync(join(projectRoot, 'schemas'))
      .filter((f) => f.endsWith('.schema.json'))
      .map((f) => `schemas/${f}`),
    ...readdirSync(join(projectRoot, 'templates'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(projectRoot.length + 1)),
    ...readdirSync(join(projectRoot, 'applicationsets')).map((f) => `applicationsets/${f}`),
  ];
  t.true(
    must.some((f) => f.endsWith('.validate.cjs')),
    'the build made precompiled validators',
  );
  for (const f of must) t.true(files.includes(f), `the tarball carries ${f}`);
  const leaked = files.filter((f) => !SHIPPED.some((re) => re.test(f)));
  t.deepEqual(leaked, [], 'nothing but what a user needs');
  t.false(files.some((f) => /(^|\/)(test|fixtures|snapshots|bench|\.ci|node_modules|gitops)\//.test(f) || f.endsWith('.ts') || f.endsWith('.map')));
  t.regex(readFileSync(join(projectRoot, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);

  const help = await project.npx(['--help']);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /Usage: gen-gitops/);
  t.notRegex(help.stderr, /ERR_MODULE_NOT_FOUND/);
  const version = await project.npx(['--version']);
  t.is(version.stdout.trim(), (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version);

  // A real render and validation from the installed copy, on a source folder next to it.
  const source = join(project.root, 'platform');
  cpSync(join(projectRoot, 'environments'), join(source, 'environments'), { recursive: true });
  const repo = join(project.root, 'gitops');
  const render = await project.npx(['--env', 'dev', '--source', source, '--repo', repo]);
  t.is(render.code, 0, render.stderr);
  t.regex(render.stdout, /committed [0-9a-f]{12}/);
  t.is(commitCount(repo), 1);
  t.true(existsSync(join(repo, 'envs/dev/manifests/deployment-mlflow.yaml')));
  t.true(existsSync(join(repo, 'argocd/appproject.yaml')));
  t.is(git(repo, 'status', '--porcelain').trim(), '');
  const validate = await project.npx(['validate', '--source', source]);
  t.is(validate.code, 0, validate.stderr);
  t.regex(validate.stdout, /^ok: 3 environments/);
});

test("issue 16.3: from an empty folder with the packed tarball as a devDependency, npx gen-gitops init, a render, validate and the workflow's pull-request steps work", async (t) => {
  t.timeout(5 * 60_000);
  const project = await installPacked({ devDependency: true });
  t.teardown(project.cleanup);
  const pkg = JSON.parse(readFileSync(join(project.dir, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  t.truthy(pkg.devDependencies?.['gen-gitops'], 'installed as a devDependency');

  const init = await project.npx(['init']);
  t.is(init.code, 0, init.stderr);
  t.notRegex(init.stdout, /npm install --save-dev/, 'package.json already lists it');
  t.true(existsSync(join(project.dir, '.github/workflows/gen-gitops.yml')));
  const render = await project.npx(['--env', 'dev']);
  t.is(render.code, 0, render.stderr);
  t.regex(render.stdout, /committed [0-9a-f]{12}/);
  t.true(existsSync(join(project.dir, 'gitops/envs/dev/manifests/deployment-mlflow.yaml')));
  const validate = await project.npx(['validate']);
  t.is(validate.code, 0, validate.stderr);

  // The pull-request job's gen-gitops steps, run as Actions runs them (bash -eo pipefail), against a config repo.
  const wf = parseWorkflow(readFileSync(join(project.dir, '.github/workflows/gen-gitops.yml'), 'utf8'));
  const bare = join(project.root, 'config.git');
  git(project.root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const summary = join(project.root, 'summary.md');
  const expressions: Record<string, string> = { 'secrets.GEN_GITOPS_TOKEN': 'ghp_notUsedByAFileRemote', 'vars.GEN_GITOPS_CONFIG_REPO': `file://${bare}` };
  for (const step of wf.jobs.plan!.steps.filter((s) => s.run?.includes('gen-gitops'))) {
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, v.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, e: string) => expressions[e] ?? '')]));
    const r = await run(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!],
      project.dir,
      userEnv({ ...env, GITHUB_STEP_SUMMARY: summary, XDG_CACHE_HOME: join(project.root, 'cache') }),
    );
    t.is(r.code, 0, `${step.name}: ${r.stderr}`);
  }
  const shown = readFileSync(summary, 'utf8');
  t.regex(shown, /## gen-gitops plan/);
  t.regex(shown, /dev, prod, stg: would write \d+ files/);
  t.regex(shown, /\+\+\+ b\/envs\/prod\/manifests\/deployment-mlflow\.yaml/);
  t.is(git(bare, 'for-each-ref').trim(), '', 'the plan wrote nothing to the config repo');
});

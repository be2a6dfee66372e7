/**
 * `gen-gitops init [dir]`: starts a platform source repository — the
 * shipped environment files, a README, a .gitignore and a GitHub Actions
 * workflow — so a team goes from nothing to a first render and CI without
 * copying files out of this package by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.js';
import { assetPath } from './paths.js';
import { SourceLayout } from './repo/layout.js';

export interface InitResult {
  dir: string;
  created: string[];
  /** Files that were there already (--force): left as they are. */
  kept: string[];
  /** `git init` was run (the folder was in no Git repository). */
  gitInitialised: boolean;
  /** package.json does not list gen-gitops: CI's `npm ci` would not install it. */
  missingDependency: boolean;
}

/**
 * What a fresh npm project holds before init (`npm init`, `npm install
 * --save-dev gen-gitops`, `git init`): such a folder counts as empty.
 */
const PROJECT_ENTRIES = new Set(['.git', 'node_modules', 'package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc']);

/** Destination → packaged source. npm never packs a file named .gitignore, so it ships as `gitignore`. */
function scaffold(): [string, string][] {
  // The package ships its environment files in a folder shaped like the source repository's.
  const environments = readdirSync(assetPath(SourceLayout.environmentsDir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f): [string, string] => [SourceLayout.inEnvironments(f), assetPath(SourceLayout.environmentsDir, f)]);
  return [
    ...environments,
    ['README.md', assetPath('templates', 'init', 'README.md')],
    ['.gitignore', assetPath('templates', 'init', 'gitignore')],
    ['.github/workflows/gen-gitops.yml', assetPath('templates', 'init', 'github-workflow.yml')],
  ];
}

export function initProject(dir: string, opts: { force: boolean }): InitResult {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder`);
  const present = existsSync(dir) ? readdirSync(dir).filter((e) => !PROJECT_ENTRIES.has(e)) : [];
  if (present.length > 0 && !opts.force) {
    const shown = present.sort().slice(0, 10).join(', ');
    throw new UsageError(
      `${dir} is not empty (${shown}${present.length > 10 ? ', …' : ''}); gen-gitops init starts a new platform repository\n    hint: pass --force to add only the files that are missing (existing files are left as they are)`,
    );
  }
  const files = scaffold();
  const created: string[] = [];
  const kept: string[] = [];
  for (const [rel, from] of files) {
    const to = join(dir, rel);
    if (existsSync(to)) {
      kept.push(rel);
      continue;
    }
    mkdirSync(dirname(to), { recursive: true });
    // 'wx': a file appearing meanwhile is never overwritten.
    writeFileSync(to, readFileSync(from), { flag: 'wx' });
    created.push(rel);
  }
  // The default config repo ./gitops lives inside this folder; gen-gitops accepts that only where
  // the source's Git ignores it, so the folder must be a Git repository reading the .gitignore above.
  const gitInitialised = !insideGitWorkTree(dir) && spawnSync('git', ['init', '--quiet', dir], { stdio: 'ignore' }).status === 0;
  return { dir, created, kept, gitInitialised, missingDependency: !listsGenGitops(dir) };
}

function insideGitWorkTree(dir: string): boolean {
  const r = spawnSync('git', ['-C', dir, 'rev-parse', '--is-inside-work-tree'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'true';
}

function listsGenGitops(dir: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: object; devDependencies?: object };
    return Object.hasOwn(pkg.devDependencies ?? {}, 'gen-gitops') || Object.hasOwn(pkg.dependencies ?? {}, 'gen-gitops');
  } catch {
    return false;
  }
}

/** What the CLI prints after init. */
export function initReport(r: InitResult): string[] {
  const lines = [`initialised a platform repository in ${r.dir}`];
  for (const f of r.created) lines.push(`  + ${f}`);
  for (const f of r.kept) lines.push(`  = ${f} (exists: left as it is)`);
  if (r.gitInitialised) lines.push("  git init (the default config repo ./gitops must be ignored by this repository's Git)");
  lines.push('next:');
  if (r.missingDependency) lines.push('  npm install --save-dev gen-gitops   # CI installs it with npm ci: commit package.json and package-lock.json');
  lines.push(`  set configRepo.url in ${SourceLayout.defaultsFile}, then adjust ${SourceLayout.envFile('*')}`);
  lines.push('  npx gen-gitops validate && npx gen-gitops --env dev   # renders into ./gitops');
  lines.push('  CI: set the variable GEN_GITOPS_CONFIG_REPO and the secret GEN_GITOPS_TOKEN (see README.md)');
  return lines;
}

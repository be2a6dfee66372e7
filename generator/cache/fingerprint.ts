import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageJsonAbove, packageVersion } from '../paths.js';

/**
 * JSON with object keys sorted, so equal values always hash equally
 * whatever order their keys were built in.
 */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : stableJson(x))).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function sha256(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** The content of every file under `dir` (a config-repo folder), as one digest. */
export function folderDigest(files: Map<string, string>, dir: string): string {
  const h = createHash('sha256');
  const prefix = `${dir}/`;
  const paths = [...files.keys()].filter((p) => p.startsWith(prefix)).sort();
  for (const p of paths) h.update(p).update('\0').update(files.get(p)!).update('\0');
  return h.digest('hex');
}

/** Packages whose code decides what a render produces. */
const RENDERING_PACKAGES = ['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml'];

let build: string | undefined;

/**
 * What this build of gen-gitops renders with: its own code (every module
 * under generator/, hashed, so an edited or rebuilt generator never reuses
 * an older render) and the versions of the packages that render.
 */
export function buildFingerprint(): string {
  if (build) return build;
  const h = createHash('sha256').update(`gen-gitops ${packageVersion}\0`);
  const codeRoot = dirname(dirname(fileURLToPath(import.meta.url)));
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) walk(abs, `${rel}${e.name}/`);
      else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) h.update(`${rel}${e.name}\0`).update(readFileSync(abs)).update('\0');
    }
  };
  walk(codeRoot, '');
  const require = createRequire(import.meta.url);
  for (const name of RENDERING_PACKAGES) h.update(`${name}@${installedVersion(require, name)}\0`);
  build = h.digest('hex');
  return build;
}

function installedVersion(require: NodeJS.Require, name: string): string {
  try {
    return packageJsonAbove(dirname(require.resolve(name)), name)?.json.version ?? 'unknown';
  } catch {
    return 'missing';
  }
}

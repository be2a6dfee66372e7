import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentSpec } from '../environment/types.js';
import { buildFingerprint, folderDigest, sha256, stableJson } from './fingerprint.js';

/**
 * Remembers renders that are known to reproduce an environment's folder,
 * so a run can skip synthesising (and re-checking) environments nothing
 * has touched. An entry is the hash of everything such a render reads:
 * this build of gen-gitops, the resolved environment, and the folder's
 * current files (kept credentials and ciphertexts come from there). When
 * all three are unchanged, the render would produce the folder byte for
 * byte, so the folder is taken as it is.
 *
 * It lives in the config repo's .git (never in the working tree, never
 * committed) and is only an accelerator: missing, unreadable or from
 * another build, it is ignored and every environment is rendered.
 */
export class RenderCache {
  private dirty = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Map<string, string>,
  ) {}

  /** The cache of the config repo at `root`; a no-op one when it has no .git folder. */
  static open(root: string): RenderCache {
    const gitDir = join(root, '.git');
    if (!isDirectory(gitDir)) return new RenderCache(undefined, new Map());
    const file = join(gitDir, 'gen-gitops', 'render-cache.json');
    let entries = new Map<string, string>();
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Stored>;
      if (stored.format === FORMAT && stored.build === buildFingerprint() && typeof stored.entries === 'object' && stored.entries) {
        entries = new Map(Object.entries(stored.entries).filter((e): e is [string, string] => typeof e[1] === 'string'));
      }
    } catch {
      // absent or damaged: start empty
    }
    return new RenderCache(file, entries);
  }

  /** The key of a render of `spec` over a folder holding `folder` (path → content). */
  key(spec: EnvironmentSpec, folder: Map<string, string>, dir: string): string {
    return sha256(buildFingerprint(), stableJson(spec), folderDigest(folder, dir));
  }

  /** Whether a render with this key is known to reproduce the folder it read. */
  reproduces(env: string, key: string): boolean {
    return this.file !== undefined && this.entries.get(env) === key;
  }

  remember(env: string, key: string): void {
    if (this.file === undefined || this.entries.get(env) === key) return;
    this.entries.set(env, key);
    this.dirty = true;
  }

  /** Writes the cache if it changed: whole or not at all (temporary file, then rename). */
  save(): void {
    if (!this.file || !this.dirty) return;
    const stored: Stored = { format: FORMAT, build: buildFingerprint(), entries: Object.fromEntries([...this.entries].sort(([a], [b]) => (a < b ? -1 : 1))) };
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(stored)}\n`);
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // An accelerator only: a read-only .git costs speed, not correctness.
    }
  }
}

const FORMAT = 1;

interface Stored {
  format: typeof FORMAT;
  build: string;
  entries: Record<string, string>;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

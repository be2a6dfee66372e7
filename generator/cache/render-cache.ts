import type { EnvironmentSpec } from '../environment/types.js';
import { buildFingerprint, folderDigest, sha256, stableJson } from './fingerprint.js';
import { cachePath, readCache, writeCache } from './store.js';

/**
 * Remembers renders that are known to reproduce an environment's folder,
 * so a run can skip synthesising (and re-checking) environments nothing
 * has touched. An entry is the hash of everything such a render reads:
 * this build of gen-gitops, the resolved environment, and the folder's
 * current files (kept credentials and ciphertexts come from there). When
 * all three are unchanged, the render would produce the folder byte for
 * byte, so the folder is taken as it is. Stored with store.ts.
 */
export class RenderCache {
  private dirty = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Map<string, string>,
  ) {}

  /** The cache of the config repo at `root`; a no-op one when it has no .git folder. */
  static open(root: string): RenderCache {
    const file = cachePath(root, 'render-cache.json');
    const entries = [...readCache<unknown>(file, FORMAT)].filter((e): e is [string, string] => typeof e[1] === 'string');
    return new RenderCache(file, new Map(entries));
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

  /** Writes the cache if it changed. */
  save(): void {
    if (!this.file || !this.dirty) return;
    writeCache(this.file, FORMAT, this.entries);
    this.dirty = false;
  }
}

const FORMAT = 1;

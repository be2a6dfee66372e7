import { createHash } from 'node:crypto';
import type { SourceLocation } from '../errors.js';
import type { ParseMemo, YamlSource } from '../environment/source.js';
import { cachePath, readCache, writeCache } from './store.js';

/** A parsed file without its display name (locations get it back on use). */
interface StoredSource {
  value: unknown;
  values: [string, number, number][];
  keys: [string, number, number][];
}

const FORMAT = 1;

/**
 * Parsed environment files by content digest, so a run over a large fleet
 * does not parse a thousand unchanged YAML files again (parsing with source
 * positions and hostile-input limits is most of loading). Only files that
 * parsed cleanly are kept; values still go through schema validation and
 * the cross-file rules every run. Lives next to the render cache in the
 * config repo's .git; missing, damaged or from another build: ignored.
 */
export class SourceCache implements ParseMemo {
  private readonly used = new Set<string>();
  private added = false;

  private constructor(private readonly entries: Map<string, StoredSource>) {}

  /** The cache of the config repo at `root` (which may not exist yet: then empty). */
  static open(root: string): SourceCache {
    return new SourceCache(readCache<StoredSource>(cachePath(root, 'sources.json'), FORMAT));
  }

  digest(bytes: Buffer): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  get(digest: string, file: string): YamlSource | undefined {
    const hit = this.entries.get(digest);
    if (!hit || !Array.isArray(hit.values) || !Array.isArray(hit.keys)) return undefined;
    this.used.add(digest);
    const located = (list: [string, number, number][]) => new Map<string, SourceLocation>(list.map(([p, line, col]) => [p, { file, line, col }]));
    // A copy: callers may merge into the value.
    return { file, value: structuredClone(hit.value), values: located(hit.values), keys: located(hit.keys) };
  }

  set(digest: string, source: YamlSource): void {
    const flat = (m: Map<string, SourceLocation>) => [...m].map(([p, l]) => [p, l.line, l.col] as [string, number, number]);
    this.entries.set(digest, { value: source.value, values: flat(source.values), keys: flat(source.keys) });
    this.used.add(digest);
    this.added = true;
  }

  /**
   * Writes the cache into the config repo at `root` (created by this run,
   * perhaps): the files this run read, nothing else; only when that changes anything.
   */
  save(root: string): void {
    const file = cachePath(root, 'sources.json');
    if (!file) return;
    const stale = [...this.entries.keys()].some((d) => !this.used.has(d));
    if (!this.added && !stale) return;
    writeCache(
      file,
      FORMAT,
      [...this.used].map((d) => [d, this.entries.get(d)!] as [string, StoredSource]),
    );
    this.added = false;
  }
}

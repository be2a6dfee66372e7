import { existsSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { readTree } from '../repo/tree.js';

/** One Kubernetes object as the config repo holds it (only what lookups need is typed). */
export type StoredObject = Record<string, unknown> & { kind?: string; metadata?: { namespace?: string; name?: string } };

/**
 * What the config repo's working tree holds, read once per run and folder
 * by folder: the render reads its environments' folders (kept credentials,
 * ciphertexts, the PostgreSQL volume it replaces), the plan reads what else
 * the render owns, and neither reads a folder twice. Objects are parsed on
 * first use, once. A snapshot of a tree that does not exist (yet) is empty.
 *
 * Valid until the working tree changes: targets take a new one after a
 * reset or checkout (see ConfigRepoTarget.snapshot).
 */
export class ConfigRepoSnapshot {
  private readonly read = new Map<string, string>();
  private readonly dirs = new Set<string>();
  /** Files read, by the folder directly holding them. */
  private readonly byParent = new Map<string, Map<string, string>>();
  private index: Map<string, StoredObject> | undefined;
  /** Parsed objects per file, for every lookup. */
  private readonly objects = new Map<string, StoredObject[]>();

  private constructor(private readonly root: string | undefined) {}

  /** The working tree at `root` (empty if it does not exist). */
  static of(root: string): ConfigRepoSnapshot {
    return new ConfigRepoSnapshot(root);
  }

  /** Nothing committed yet: renders from scratch (validate, tests, a promotion's deployed check). */
  static empty(): ConfigRepoSnapshot {
    return new ConfigRepoSnapshot(undefined);
  }

  /** Every file under the given folders (path → content), each folder read at most once. */
  folders(dirs: readonly string[]): Map<string, string> {
    const missing = dirs.filter((d) => !this.dirs.has(d) && !this.inRead(d));
    if (missing.length > 0) this.take(missing, []);
    const wanted = new Set(dirs);
    const out = new Map<string, string>();
    for (const [p, c] of this.read) if (this.under(p, wanted)) out.set(p, c);
    return out;
  }

  /** Files directly in `dir` (a manifests folder). */
  folder(dir: string): Map<string, string> {
    if (!this.dirs.has(dir) && !this.inRead(dir)) this.take([dir], []);
    return new Map(this.byParent.get(dir));
  }

  /**
   * What the tree holds under `dirs` and at `files` (the plan's view of
   * everything a render owns), reading only what was not read before.
   */
  owned(dirs: readonly string[], files: Iterable<string>): Map<string, string> {
    const missingDirs = dirs.filter((d) => !this.dirs.has(d) && !this.inRead(d));
    const missingFiles = [...files].filter((f) => !this.inRead(f) && !this.read.has(f));
    if (missingDirs.length > 0 || missingFiles.length > 0) this.take(missingDirs, missingFiles);
    return new Map(this.read);
  }

  /**
   * An object of the folders read so far, by kind, namespace and name. The
   * first lookup parses every file read (Sealed Secrets look ciphertexts up
   * wherever they are); a caller that knows where the object is written
   * uses objectsAt, which parses that one file (kept credentials: a fleet's
   * run must not parse every manifest to find its Secrets).
   */
  object(kind: string, namespace: string, name: string): StoredObject | undefined {
    const key = `${kind}/${namespace}/${name}`;
    if (!this.index) {
      this.index = new Map();
      for (const p of this.read.keys()) for (const o of this.parsed(p)) this.index.set(objectKey(o)!, o);
    }
    return this.index.get(key);
  }

  /** The named objects of one file (YAML files only; read if it was not), parsed once. */
  objectsAt(path: string): readonly StoredObject[] {
    if (!this.read.has(path) && !this.inRead(path)) this.take([], [path]);
    return this.parsed(path);
  }

  private parsed(path: string): StoredObject[] {
    let objects = this.objects.get(path);
    if (objects) return objects;
    objects = [];
    const text = this.read.get(path);
    if (text !== undefined && path.endsWith('.yaml')) {
      for (const doc of parseAllDocuments(text)) {
        if (!('toJS' in doc)) continue;
        const o = doc.toJS() as StoredObject | null;
        if (o && objectKey(o)) objects.push(o);
      }
    }
    this.objects.set(path, objects);
    return objects;
  }

  /** Whether a folder above `path` was read whole (one lookup per parent: linear for a fleet). */
  private inRead(path: string): boolean {
    return this.under(path, this.dirs);
  }

  private under(path: string, dirs: Set<string>): boolean {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) if (dirs.has(path.slice(0, i))) return true;
    return false;
  }

  private take(dirs: string[], files: string[]): void {
    const got = this.root !== undefined && existsSync(this.root) ? readTree(this.root, dirs, files) : new Map<string, string>();
    for (const d of dirs) this.dirs.add(d);
    for (const [p, c] of got) {
      // What was read first stays: the render and the plan see one moment of each file.
      if (this.read.has(p)) continue;
      this.read.set(p, c);
      const parent = p.slice(0, p.lastIndexOf('/'));
      let m = this.byParent.get(parent);
      if (!m) this.byParent.set(parent, (m = new Map()));
      m.set(p, c);
    }
    this.index = undefined;
  }
}

/** `kind/namespace/name` of an object, or undefined when it has no kind or name. */
function objectKey(o: StoredObject): string | undefined {
  return o.kind && o.metadata?.name ? `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}` : undefined;
}

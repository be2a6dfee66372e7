import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const crlfByRoot = new Map<string, boolean>();

/**
 * Whether git checks files out with CRLF here (core.autocrlf=true, Git for
 * Windows' default) and so takes CRLF in the working tree for LF: the files
 * are then compared as git sees them, or a clean clone would look changed
 * everywhere (--check exit 3, a write run rewriting every file). Asked
 * once per root and process.
 */
function checksOutCrlf(root: string): boolean {
  let v = crlfByRoot.get(root);
  if (v === undefined) {
    if (!existsSync(root)) return false; // not created yet: asked again once it is
    const r = spawnSync('git', ['config', '--type=bool', '--get', 'core.autocrlf'], { cwd: root, encoding: 'utf8' });
    v = r.status === 0 && r.stdout.trim() === 'true';
    crlfByRoot.set(root, v);
  }
  return v;
}

/**
 * How a file's text is written into this working tree: with CRLF line ends
 * where git checks files out that way, so that the files gen-gitops writes
 * are what a checkout holds (git status would otherwise list every LF file
 * as modified, the stat size differing from the checkout's).
 */
export function workingTreeText(root: string): (text: string) => string {
  return checksOutCrlf(root) ? (text) => text.replace(/\r?\n/g, '\r\n') : (text) => text;
}

/** Reads every file under the given folders (relative to `root`) plus the named files, if present. */
export function readTree(root: string, dirs: string[], files: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const crlf = checksOutCrlf(root);
  const readFile = (abs: string) => {
    const text = readFileSync(abs, 'utf8');
    return crlf && text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
  };
  const walk = (rel: string) => {
    const abs = join(root, rel);
    // A file where a generated folder goes holds none of its files (the transaction reports it).
    if (!existsSync(abs) || !statSync(abs).isDirectory()) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.set(child, readFile(join(root, child)));
    }
  };
  for (const d of dirs) walk(d);
  for (const f of files) {
    const abs = join(root, f);
    if (!out.has(f) && existsSync(abs) && statSync(abs).isFile()) out.set(f, readFile(abs));
  }
  return out;
}

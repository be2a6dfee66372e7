import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Reads every file under the given folders (relative to `root`) plus the named files, if present. */
export function readTree(root: string, dirs: string[], files: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const abs = join(root, rel);
    // A file where a generated folder goes holds none of its files (the transaction reports it).
    if (!existsSync(abs) || !statSync(abs).isDirectory()) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.set(child, readFileSync(join(root, child), 'utf8'));
    }
  };
  for (const d of dirs) walk(d);
  for (const f of files) {
    const abs = join(root, f);
    if (!out.has(f) && existsSync(abs) && statSync(abs).isFile()) out.set(f, readFileSync(abs, 'utf8'));
  }
  return out;
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root holds the tool's own assets (schemas/, templates/,
 * applicationsets/). Found by walking up, because the code runs both from
 * generator/ (tests, via tsx) and from dist/generator/ (the built CLI).
 */
function findPackageRoot(): string {
  const found = packageJsonAbove(dirname(fileURLToPath(import.meta.url)), 'gen-gitops');
  if (!found) throw new Error('gen-gitops package root not found');
  return found.dir;
}

/** The nearest folder at or above `dir` holding the package.json of package `name`, and that package.json. */
export function packageJsonAbove(dir: string, name: string): { dir: string; json: { name?: string; version?: string } } | undefined {
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === name) return { dir, json };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();
export const packageVersion = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
export const assetPath = (...parts: string[]): string => join(packageRoot, ...parts);

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root holds the tool's own assets (schemas/, templates/,
 * applicationsets/). Found by walking up, because the code runs both from
 * generator/ (tests, via tsx) and from dist/generator/ (the built CLI).
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'gen-gitops') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('gen-gitops package root not found');
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();
export const packageVersion = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
export const assetPath = (...parts: string[]): string => join(packageRoot, ...parts);

/**
 * External tools the tests need, found where .ci/run (or `npm run e2e -- --install`)
 * installs them. A missing tool is a failing test, never a skipped one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS } from '../e2e/install.js';
import { cacheRoot } from '../e2e/images.js';

/** kustomize: $GEN_GITOPS_KUSTOMIZE, the pinned build in the e2e cache, or `kustomize` on PATH. */
export function kustomizeBinary(): string | undefined {
  const candidates = [process.env.GEN_GITOPS_KUSTOMIZE, join(cacheRoot(), 'tools', `kustomize-${TOOLS.kustomize.version}`, 'bin', 'kustomize')].filter(
    (c): c is string => c !== undefined && c !== '',
  );
  const found = candidates.find((c) => existsSync(c));
  if (found) return found;
  return spawnSync('kustomize', ['version'], { encoding: 'utf8' }).status === 0 ? 'kustomize' : undefined;
}

export const KUSTOMIZE_MISSING = `kustomize not found: install it with \`go install ${TOOLS.kustomize.module}@${TOOLS.kustomize.version}\` (or \`npm run e2e -- --install\`), or point GEN_GITOPS_KUSTOMIZE at it`;

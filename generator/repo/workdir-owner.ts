import { existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/**
 * A remote's working clone is reset (`checkout --force`, `clean -fd`), its
 * `origin` re-pointed, and removed and cloned again when it is not a clone:
 * all of that is only safe on a folder gen-gitops made for itself. The
 * mark lives beside the clone, in the `<dir>.state` folder that already
 * holds its lock, because a failed clone removes the folder itself.
 */
export const workdirMark = (dir: string) => `${dir}.state/workdir.json`;

/**
 * Takes `dir` as gen-gitops's working clone, or refuses (exit 2) a folder
 * that holds anything gen-gitops did not put there: a missing or empty
 * folder is claimed (marked), a marked one is used, `ownedByLocation` (the
 * default place under gen-gitops's own cache folder) is claimed as it is.
 */
export function claimWorkdir(dir: string, ownedByLocation: boolean): void {
  const mark = workdirMark(dir);
  let kind: 'missing' | 'dir' | 'other' = 'missing';
  try {
    kind = lstatSync(dir).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (kind === 'other') throw new UsageError(`--workdir ${dir} is not a folder\n    hint: name a new or empty folder, or leave --workdir out to use gen-gitops's cache folder`);
  if (kind === 'dir' && !existsSync(mark) && !ownedByLocation && readdirSync(dir).length > 0) {
    throw new UsageError(
      `--workdir ${dir} is not a working clone gen-gitops created (it has no ${mark}); gen-gitops resets and cleans its working clone and would destroy what is in this folder, so it was left untouched\n    hint: name a new or empty folder, or leave --workdir out to use gen-gitops's cache folder`,
    );
  }
  if (!existsSync(mark)) {
    mkdirSync(`${dir}.state`, { recursive: true });
    writeFileSync(mark, `${JSON.stringify({ createdBy: 'gen-gitops', dir })}\n`);
  }
}

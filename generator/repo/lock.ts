import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type lockfileLib from 'proper-lockfile';
import { UserError } from '../errors.js';
import { stateDirOf } from './gitdir.js';

/** Who holds the lock: printed to whoever waits for it. */
interface Holder {
  pid: number;
  host: string;
  since: string;
  command: string;
}

export interface RepoLock {
  release(): Promise<void>;
}

export const LOCK_NAME = 'gen-gitops.lock';

/**
 * One gen-gitops run per config repo at a time (proper-lockfile: an atomic
 * mkdir, refreshed while held, stale after 10 s without refresh). A lock
 * whose holder is a dead process on this host is taken over at once.
 */
export async function lockRepo(root: string, opts: { waitMs: number; stateDir?: string }): Promise<RepoLock> {
  // The lock lives in .git (never committed) unless the caller names another place.
  const gitDir = opts.stateDir ?? stateDirOf(root);
  const lockPath = join(gitDir, LOCK_NAME);
  const holderPath = join(gitDir, `${LOCK_NAME}.holder`);
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    try {
      // Made again on every attempt: a first run that failed removes the repository it created,
      // and a run waiting for it then takes the lock on a fresh folder (and creates the repository).
      mkdirSync(gitDir, { recursive: true });
      // Loaded on first use: read-only runs never lock.
      const lockfile = createRequire(import.meta.url)('proper-lockfile') as typeof lockfileLib;
      const release = await lockfile.lock(gitDir, { lockfilePath: lockPath, stale: 10_000, update: 2_000, realpath: false });
      const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: `gen-gitops ${process.argv.slice(2).join(' ')}`.trim() };
      writeFileSync(holderPath, JSON.stringify(holder));
      // Test hook: hold the lock a while so a second process can contend for it.
      const hold = Number(process.env.GEN_GITOPS_TEST_HOLD_LOCK_MS ?? 0);
      if (hold > 0) await new Promise((r) => setTimeout(r, hold));
      return {
        async release() {
          rmSync(holderPath, { force: true });
          await release().catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // the folder went away between mkdir and lock
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      const holder = readHolder(holderPath);
      if (holder && holder.host === hostname() && !alive(holder.pid)) {
        rmSync(lockPath, { recursive: true, force: true });
        rmSync(holderPath, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        const who = holder ? `process ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.since})` : 'another gen-gitops run';
        throw new UserError(
          `the config repo ${root} is locked by ${who}; waited ${Math.round(opts.waitMs / 1000)} s\n    hint: wait for it to finish, or raise --lock-timeout; a lock left by a dead process is freed automatically`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Holder) : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

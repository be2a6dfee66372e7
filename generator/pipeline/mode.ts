import { isProduction } from '../environment/validate.js';
import { UsageError } from '../errors.js';
import type { LoadedInput } from './input.js';

/**
 * What a run does with its render, parsed once at the CLI:
 * - `check`: compare, exit 3 when out of date (CI); writes nothing;
 * - `dry-run`: compare and report; writes nothing;
 * - `commit`: write and commit into a local config repo;
 * - `push`: commit on the remote's default branch and push;
 * - `pr`: commit on a gen-gitops/<envs> branch, push it, open or update a pull request.
 */
export type RunMode = 'check' | 'dry-run' | 'commit' | 'push' | 'pr';

/** Whether the mode changes the config repo (and so takes its lock and remembers renders). */
export const writes = (mode: RunMode): boolean => mode === 'commit' || mode === 'push' || mode === 'pr';

/** The command-line flags that choose the mode. */
export interface ModeFlags {
  check?: boolean;
  dryRun?: boolean;
  push?: boolean;
  pr?: boolean;
}

/**
 * The mode the flags ask for against a local (`remote` undefined) or remote
 * config repo (`remote`: its URL as shown to people, without credentials).
 */
export function parseMode(flags: ModeFlags, remote: string | undefined): RunMode {
  if (flags.push && flags.pr) throw new UsageError('choose one of --push and --pr');
  if (remote === undefined && (flags.push || flags.pr))
    throw new UsageError(`--${flags.push ? 'push' : 'pr'} needs a remote config repo: pass --repo <url> (https, ssh or file://)`);
  if (flags.check) return 'check';
  if (flags.dryRun) return 'dry-run';
  if (remote === undefined) return 'commit';
  if (flags.pr) return 'pr';
  if (flags.push) return 'push';
  throw new UsageError(`--repo ${remote} is a remote: add --push or --pr to deliver, or --dry-run to preview`);
}

/**
 * What `promote` was asked to do, parsed at the CLI like RunMode. `deliver`:
 * commit into a local config repo, or, for a remote one, push — a pull
 * request when the target is a production environment (only known once the
 * environments are loaded: see promotionRunMode).
 */
export type PromoteMode = 'dry-run' | 'deliver' | 'push' | 'pr';

export function parsePromoteMode(flags: Omit<ModeFlags, 'check'>, remote: string | undefined): PromoteMode {
  if (flags.push && flags.pr) throw new UsageError('choose one of --push and --pr');
  if (remote === undefined && (flags.push || flags.pr))
    throw new UsageError(`--${flags.push ? 'push' : 'pr'} needs a remote config repo: pass --repo <url> (https, ssh or file://)`);
  if (flags.dryRun) return 'dry-run';
  return flags.pr ? 'pr' : flags.push ? 'push' : 'deliver';
}

/** The RunMode of a promotion whose target is (or is not) a production environment. */
export function promotionRunMode(mode: PromoteMode, remote: boolean, production: boolean): RunMode {
  if (mode === 'dry-run') return 'dry-run';
  if (!remote) return 'commit';
  if (mode === 'deliver') return production ? 'pr' : 'push';
  return mode;
}

/** Production environments change only through a reviewed pull request: `push` is refused for them. */
export function refuseProductionPush(input: LoadedInput, mode: RunMode): void {
  if (mode !== 'push') return;
  const protectedEnvs = input.all.filter((e) => input.selected.includes(e.name) && isProduction(e.value));
  if (protectedEnvs.length > 0) {
    throw new UsageError(
      `${protectedEnvs.map((e) => e.name).join(', ')} is a production environment: changes reach it only through a reviewed pull request; run with --pr instead of --push`,
    );
  }
}

import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isInside } from './source.js';

/** A certificate or a credential is at most a few kilobytes; environment files have the same limit. */
export const MAX_INPUT_FILE_BYTES = 64 * 1024;

/** Why a named input file was not read: printed after the file's name. */
export class InputFileError extends Error {
  constructor(
    readonly reason: string,
    readonly hint?: string,
  ) {
    super(reason);
    this.name = 'InputFileError';
  }
}

/** Why reading an input file failed, in words (for `cannot read <path>: <why>`). */
export function unreadableReason(e: unknown): string {
  if (e instanceof InputFileError) return e.reason;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(e);
}

/**
 * Reads a file an environment file or a flag names (a Sealed Secrets
 * certificate, a --secret-file) the way environment files are read: only a
 * regular file (a FIFO or a device such as /dev/zero neither hangs the run
 * nor exhausts memory), at most `maxBytes` (checked before reading and
 * while reading), and, with `within`, only inside that folder after
 * symbolic links are resolved (a pull request cannot make CI read
 * /etc/passwd). Throws InputFileError.
 */
export function readInputFile(file: string, opts: { maxBytes: number; within?: string }): string {
  if (opts.within !== undefined) {
    let real: string;
    let root: string;
    try {
      real = realpathSync.native(file);
      root = realpathSync.native(opts.within);
    } catch (e) {
      throw new InputFileError(reasonOf(e));
    }
    if (!isInside(root, real)) {
      throw new InputFileError('is outside the source repository', 'keep the file in the source repository and name it relative to the environment file');
    }
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (no effect on regular files).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new InputFileError(reasonOf(e));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InputFileError(stat.isDirectory() ? 'is a directory' : 'is not a regular file', 'name a plain file');
    const tooBig = (size: number) => new InputFileError(`is ${size} bytes; the limit is ${opts.maxBytes}`, 'name the file itself, not an archive or a bundle');
    if (stat.size > opts.maxBytes) throw tooBig(stat.size);
    const buffer = Buffer.allocUnsafe(opts.maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      // The file grew after fstat: still never more than the limit.
      if (length > opts.maxBytes) throw tooBig(length);
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(reasonOf(e));
  } finally {
    closeSync(fd);
  }
}

function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (e instanceof Error ? e.message : String(e));
}

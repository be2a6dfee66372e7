/**
 * A sync that failed, naming the object, the container and what the process
 * last said, e.g. `Job/mlflow-stg-db-upgrade container mlflow: exit 1: relation "metrics" does not exist`.
 */
export class SyncError extends Error {
  constructor(
    message: string,
    /** The object that failed, `Kind/name`. */
    readonly object: string,
    /** The process's last lines, when a container failed. */
    readonly logTail: readonly string[] = [],
  ) {
    super(message);
  }

  /** The message and the log tail, for a person reading CI output. */
  detail(): string {
    return this.logTail.length === 0 ? this.message : `${this.message}\n  last lines:\n${this.logTail.map((l) => `    | ${l}`).join('\n')}`;
  }
}

/** The last meaningful line of a log: what a failure message quotes. */
export function lastLine(lines: readonly string[]): string {
  // A Python traceback ends in links and SQL; the line that names the error is what a person needs.
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 12); i--) {
    const l = lines[i]!.trim();
    if (/^[\w.]+(Error|Exception)\b|\bFATAL\b|^Error\b|^error:/.test(l)) return l.length > 300 ? `${l.slice(0, 300)}…` : l;
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (l !== '' && !/^\^+$/.test(l) && !/^~+$/.test(l)) return l.length > 300 ? `${l.slice(0, 300)}…` : l;
  }
  return '(no output)';
}

/**
 * Errors the CLI knows how to print. Anything else is a bug and is reported as
 * such (exit 1, stack only with --debug).
 */

/** Exit codes are part of the CLI contract (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  invalidInput: 2,
  outOfDate: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the user can act on; the message is printed as is, without stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Where in an input file something is. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** One problem with the input, precise enough to fix without reading our code. */
export interface InputProblem {
  location?: SourceLocation;
  /** JSON path of the field, e.g. `mlflow.nodePort`; empty for the whole document. */
  field?: string;
  message: string;
  hint?: string;
}

export function formatProblem(p: InputProblem): string {
  const where = p.location ? `${p.location.file}:${p.location.line}:${p.location.col}: ` : '';
  const field = p.field ? `${p.field}: ` : '';
  const hint = p.hint ? `\n    hint: ${p.hint}` : '';
  return `${where}${field}${p.message}${hint}`;
}

/** Problems told once each: a value shared through defaults.yaml is checked once per environment but fixed in one place. */
export function uniqueProblems(problems: InputProblem[]): InputProblem[] {
  return [...new Map(problems.map((p) => [formatProblem(p), p])).values()];
}

/** Bad input: exit 2, every problem listed, nothing written. */
export class InputError extends UserError {
  constructor(readonly problems: InputProblem[]) {
    super(
      problems.length === 1 ? formatProblem(problems[0]!) : `${problems.length} problems in the input:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      ExitCode.invalidInput,
    );
    this.name = 'InputError';
  }
}

/** Wrong command-line usage: exit 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.invalidInput);
    this.name = 'UsageError';
  }
}

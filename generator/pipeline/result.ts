import type { InputProblem } from '../errors.js';
import type { GroupSummary, Plan } from '../render/plan.js';
import type { PullRequest } from '../repo/github.js';

export type GenerateStatus = 'up-to-date' | 'committed' | 'planned' | 'out-of-date';

/** What a run did, for the CLI's report and for tests. */
export interface GenerateResult {
  status: GenerateStatus;
  environments: string[];
  plan: Plan;
  groups: GroupSummary[];
  diffs: string[];
  warnings: InputProblem[];
  commit?: string;
  repo: string;
  /** Committed hand edits in generated files that this run overwrote. */
  manual?: string[];
  /** What was done about a transaction a killed run left behind. */
  recovered?: 'none' | 'rolled-back' | 'cleaned';
  /** Environments whose folder a remembered render vouched for, so they were not synthesised again. */
  reused?: string[];
  /** Set by runs that push (--push, --pr). */
  pushed?: { branch: string; commit: string };
  /** `unchanged`: the open pull request already carries this render and was left alone. */
  pullRequest?: PullRequest & { action: 'opened' | 'updated' | 'unchanged' };
}

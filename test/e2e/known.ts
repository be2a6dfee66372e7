/**
 * Known failures: a scenario that fails for a reason the runtime-correctness
 * issue lists may stay red only through an entry here, naming the item and the
 * failure text it expects. The run fails when such a failure changes or
 * disappears, so the list cannot hide anything new and must be emptied when
 * the item is fixed.
 */
import type { Outcome } from './scenario.js';

export interface KnownFailure {
  readonly scenario: string;
  /** The issue item, e.g. "issue 13.2". */
  readonly item: string;
  /** A regular expression the failure detail must match. */
  readonly expect: string;
}

export function judge(o: Outcome, known: readonly KnownFailure[]): { ok: boolean; label: string } {
  const k = known.find((x) => x.scenario === o.name);
  if (!k) return o.ok ? { ok: true, label: 'passed' } : { ok: false, label: 'FAILED' };
  if (o.ok) return { ok: false, label: `FAILED: listed as known failure (${k.item}) but passed: remove it from known-failures.json` };
  if (new RegExp(k.expect).test(o.detail)) return { ok: true, label: `known failure (${k.item})` };
  return { ok: false, label: `FAILED: known failure (${k.item}) changed: expected /${k.expect}/` };
}

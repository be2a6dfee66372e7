import { performance } from 'node:perf_hooks';

/**
 * Phase timings for performance work: with GEN_GITOPS_TIMINGS=1 the CLI
 * prints how long each phase of a run took (stderr), so a slow run can be
 * attributed without a profiler. Off by default and free when off.
 */
const enabled = process.env['GEN_GITOPS_TIMINGS'] === '1';
const phases: { label: string; ms: number }[] = [];
let last = performance.now();

/** Ends the current phase under `label`. */
export function phaseDone(label: string): void {
  if (!enabled) return;
  const now = performance.now();
  phases.push({ label, ms: now - last });
  last = now;
}

/** The recorded phases as lines, or none when timings are off. */
export function timingLines(): string[] {
  if (!enabled) return [];
  const total = phases.reduce((s, p) => s + p.ms, 0);
  return [...phases.map((p) => `timing: ${p.label.padEnd(24)} ${p.ms.toFixed(0).padStart(7)} ms`), `timing: ${'total'.padEnd(24)} ${total.toFixed(0).padStart(7)} ms`];
}

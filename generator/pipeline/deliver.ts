import type { RenderedFolder } from '../render/render.js';
import type { ConfigRepoTarget } from '../targets/target.js';
import { commitMessage, type PromotionNote } from '../render/commit-message.js';
import { unifiedDiff } from '../render/diff.js';
import { phaseDone } from '../timing.js';
import type { LoadedInput, RenderInputs } from './input.js';
import { writes, type RunMode } from './mode.js';
import { planAgainst, type PlannedRender } from './plan.js';
import { renderChecked } from './render.js';
import type { GenerateResult } from './result.js';

export interface PipelineOptions extends RenderInputs {
  /** Print a unified diff of every change with the plan. */
  diff: boolean;
  /** A promotion being delivered: named in the commit message and pull request. */
  promotion?: PromotionNote;
}

/**
 * The one delivery path: render → plan → (check | dry-run: report) →
 * write + commit → publish, against any ConfigRepoTarget. A publish the
 * remote rejected (it moved) starts again from a fresh snapshot.
 */
export async function runPipeline(input: LoadedInput, mode: RunMode, target: ConfigRepoTarget, opts: PipelineOptions): Promise<GenerateResult> {
  const release = await target.lock(mode);
  let rendered = false;
  try {
    const recovered = await target.prepare(mode, input);
    for (let attempt = 1; ; attempt++) {
      const cache = target.cache();
      const snapshot = await target.snapshot(mode, input);
      const onFolder = writes(mode) && target.onFolder ? (f: RenderedFolder) => target.onFolder!(f, snapshot) : undefined;
      const render = await renderChecked(input, snapshot, opts, { cache, onFolder });
      phaseDone(`render + check (${render.reused.length} reused)`);
      let planned: PlannedRender = planAgainst(target.root, snapshot, render);
      phaseDone('plan');
      rendered = true;
      const result = (p: PlannedRender): GenerateResult => ({
        status: 'up-to-date',
        environments: input.selected,
        plan: p.plan,
        groups: p.groups,
        diffs: opts.diff ? p.plan.changes.map(unifiedDiff) : [],
        warnings: input.warnings,
        repo: target.display,
        reused: render.reused,
        ...(writes(mode) && recovered !== undefined ? { recovered } : {}),
      });
      if (target.settle) {
        const settled = await target.settle(planned, input);
        if ('done' in settled) {
          target.remember(planned);
          const { pullRequest, plan, groups } = settled.done;
          // The report describes the change the pull request carries: against the base when the target says so.
          return { ...result(plan && groups ? { ...planned, plan, groups } : planned), pullRequest };
        }
        planned = settled.planned;
      }
      const changed = planned.plan.changes.length > 0;
      if (mode === 'check') return { ...result(planned), status: changed ? 'out-of-date' : 'up-to-date' };
      if (!changed) {
        if (writes(mode)) target.remember(planned);
        return result(planned);
      }
      if (mode === 'dry-run') return { ...result(planned), status: 'planned' };
      const { commit, manual } = await target.write(planned, (m) => commitMessage(input.selected, planned.groups, m, opts.promotion));
      phaseDone('write + commit');
      target.remember(planned);
      if (!commit) return result(planned);
      const published = await target.publish(commit, planned, input, attempt);
      if (published === 'retry') continue;
      return { ...result(planned), status: 'committed', commit, manual, ...published };
    }
  } finally {
    await target.close({ rendered });
    await release();
  }
}

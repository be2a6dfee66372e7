/**
 * In-process measurement, run in its own child process per fleet size so one
 * size's heap never inflates another's peak RSS:
 *
 *   node dist/bench/worker.js <source dir> <runs>
 *
 * Each run is what `gen-gitops validate` does: load and validate every
 * environment file, render every environment, check every object against its
 * Kubernetes schema, serialise every file. Nothing is read from or written
 * to a config repo. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { loadInput } from '../generator/pipeline/input.js';
import { renderChecked } from '../generator/pipeline/render.js';
import { ConfigRepoSnapshot } from '../generator/pipeline/snapshot.js';

interface RunTiming {
  totalMs: number;
  loadMs: number;
  renderCheckMs: number;
  files: number;
  bytes: number;
}

async function once(source: string): Promise<RunTiming> {
  const t0 = performance.now();
  const input = loadInput(source, [], true);
  const t1 = performance.now();
  const result = await renderChecked(input, ConfigRepoSnapshot.empty(), { environ: {} });
  const t2 = performance.now();
  let bytes = 0;
  for (const c of result.files.values()) bytes += c.length;
  return { totalMs: t2 - t0, loadMs: t1 - t0, renderCheckMs: t2 - t1, files: result.files.size, bytes };
}

const [source, runsArg] = process.argv.slice(2);
if (!source) throw new Error('usage: worker.js <source dir> <runs>');
const runs = Math.max(1, Number(runsArg ?? 3));
const timings: RunTiming[] = [];
for (let i = 0; i < runs; i++) timings.push(await once(source));
process.stdout.write(
  `${JSON.stringify({
    runs: timings,
    // maxRSS is in kilobytes: the peak resident set of this whole process.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
  })}\n`,
);

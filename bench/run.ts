/**
 * `npm run bench`: speed and memory of gen-gitops at fleet scale, side by
 * side with `kustomize build` (issue 7). Prints a Markdown table with the
 * targets beside each figure and writes bench/results.json.
 *
 * Everything runs against synthetic fleets in a temporary folder, through
 * the built CLI (dist/) as a user runs it, except the in-process figures,
 * which call the library in one child process per fleet size.
 *
 * BENCH_RUNS=<n> overrides the number of runs per figure (default: 5, or 3
 * for the 1,000-environment writes); BENCH_KEEP=1 keeps the temporary folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CLUSTERS, STAGES, synthFleet, writeFleet } from './synth.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const bin = join(root, 'bin', 'gen-gitops.js');
const hook = join(root, 'dist', 'bench', 'rss-hook.js');
const worker = join(root, 'dist', 'bench', 'worker.js');
const runsOverride = Number(process.env['BENCH_RUNS'] ?? '') || undefined;
const RUNS = runsOverride ?? 5;
const WRITE_RUNS = runsOverride ?? 3;
const SIZES = [10, 100, 1000] as const;
const FLEET = 1000;
const KUSTOMIZE_SAMPLE = 50;

const TARGET = {
  coldS: 0.6,
  marginalMs: 10,
  write1000S: 10,
  noChange1000S: 3,
  peakRssMb: 400,
  linearity: 1.5,
};

// ---------------------------------------------------------------- helpers

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const log = (s: string) => process.stderr.write(`${s}\n`);

interface CliRun {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
  peakRssMb?: number;
  phases: Record<string, number>;
}

/** Runs the built CLI as a user does; start to exit, wall clock. With `rss`, the child reports its peak RSS. */
function cli(args: string[], opts: { rss?: boolean } = {}): CliRun {
  const rssFile = join(tmpdir(), `gen-gitops-bench-rss-${process.pid}`);
  rmSync(rssFile, { force: true });
  const nodeArgs = opts.rss ? ['--import', `file://${hook}`] : [];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, bin, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, GEN_GITOPS_TIMINGS: '1', ...(opts.rss ? { GEN_GITOPS_BENCH_RSS: rssFile } : {}) },
  });
  const ms = performance.now() - t0;
  const peakRssMb = opts.rss && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : undefined;
  rmSync(rssFile, { force: true });
  if (r.error) throw r.error;
  return { ms, code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, peakRssMb, phases: phasesOf(r.stderr) };
}

/** The run's own phase timings (GEN_GITOPS_TIMINGS=1 lines on stderr), label → ms. */
function phasesOf(stderr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of stderr.matchAll(/^timing: (.+?)\s+(\d+) ms$/gm)) out[m[1]!.replace(/ \(\d+ reused\)$/, '')] = Number(m[2]);
  return out;
}

/** Median of each phase over several runs. */
function medianPhases(runs: CliRun[]): Record<string, number> {
  const labels = [...new Set(runs.flatMap((r) => Object.keys(r.phases)))];
  return Object.fromEntries(labels.map((l) => [l, median(runs.map((r) => r.phases[l] ?? 0))]));
}

/** mtime of the render and parse caches in the config repo's .git (0: absent). */
function cacheStamp(repo: string): number {
  const dir = join(repo, '.git', 'gen-gitops');
  return ['render-cache.json', 'sources.json'].reduce((m, f) => Math.max(m, existsSync(join(dir, f)) ? statSync(join(dir, f)).mtimeMs : 0), 0);
}

function mustSucceed(r: CliRun, what: string): CliRun {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr.slice(0, 4000)}`);
  return r;
}

const git = (repo: string, args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).trim();

/** Number of files under the repo's rendered folders, and the newest mtime among them. */
function treeStamp(repo: string): { files: number; newestMtimeMs: number } {
  let files = 0;
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        files++;
        newest = Math.max(newest, statSync(p).mtimeMs);
      }
    }
  };
  for (const d of ['envs', 'cluster-resources']) if (existsSync(join(repo, d))) walk(join(repo, d));
  return { files, newestMtimeMs: newest };
}

function toolVersion(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}

// ---------------------------------------------------------------- setup

const t0 = performance.now();
const loadBefore = loadavg();
const work = mkdtempSync(join(tmpdir(), 'gen-gitops-bench-'));
log(`bench: working in ${work}`);
const shippedDefaults = join(root, 'environments', 'defaults.yaml');
const fleet = synthFleet(FLEET);
const sources = new Map<number, string>();
for (const n of SIZES) {
  const dir = join(work, `source-${n}`);
  writeFleet(dir, fleet.slice(0, n), shippedDefaults);
  sources.set(n, dir);
}
const shipped = join(work, 'source-shipped');
cpSync(join(root, 'environments'), join(shipped, 'environments'), { recursive: true });
const shippedEnv = 'stg';
const fleetEnv = fleet[Math.floor(FLEET / 2)]!.name;

try {
  // ------------------------------------------------------------ 1. cold single environment
  log(`bench: cold single environment (${RUNS} runs + 1 warm-up)`);
  const coldArgs = ['--env', shippedEnv, '--dry-run', '--source', shipped, '--repo', join(work, 'no-repo')];
  mustSucceed(cli(coldArgs), 'cold single environment');
  const cold = Array.from({ length: RUNS }, () => mustSucceed(cli(coldArgs), 'cold single environment').ms);

  // ------------------------------------------------------------ 2. in-process N = 10, 100, 1000
  const inProcess: Record<
    number,
    { runsMs: number[]; medianMs: number; perEnvMs: number; loadMs: number; renderCheckMs: number; files: number; bytes: number; peakRssMb: number }
  > = {};
  for (const n of SIZES) {
    const runs = n === FLEET ? WRITE_RUNS : RUNS;
    log(`bench: in-process render + validate + serialise, N = ${n} (${runs} runs in one process, then 1 run alone for its peak RSS)`);
    type WorkerOut = { runs: { totalMs: number; loadMs: number; renderCheckMs: number; files: number; bytes: number }[]; peakRssMb: number };
    const runWorker = (k: number): WorkerOut => {
      const r = spawnSync(process.execPath, [worker, sources.get(n)!, String(k)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`worker N=${n} failed:\n${r.stderr}`);
      return JSON.parse(r.stdout) as WorkerOut;
    };
    // Times: several runs in one process (the median skips the first run's JIT warm-up). Peak RSS: one
    // run in a fresh process, so garbage a previous run left for the collector does not count.
    const out = runWorker(runs);
    const alone = runWorker(1);
    const med = median(out.runs.map((x) => x.totalMs));
    inProcess[n] = {
      runsMs: out.runs.map((x) => x.totalMs),
      medianMs: med,
      perEnvMs: med / n,
      loadMs: median(out.runs.map((x) => x.loadMs)),
      renderCheckMs: median(out.runs.map((x) => x.renderCheckMs)),
      files: out.runs[0]!.files,
      bytes: out.runs[0]!.bytes,
      peakRssMb: alone.peakRssMb,
    };
  }
  const at100 = inProcess[100]!;
  const at1000 = inProcess[1000]!;
  const marginalMs = (at1000.medianMs - at100.medianMs) / (1000 - 100);
  const linearity = at1000.perEnvMs / at100.perEnvMs;

  // ------------------------------------------------------------ 3. full write + commit of 100 and 1000, then no-change re-runs
  /** `--all` into fresh config repos, `runs` times; checks one commit, a clean tree and every file. Returns the runs and the last repo. */
  const fullWrite = (n: number, runs: number): { runs: CliRun[]; repo: string } => {
    log(`bench: full write + commit of ${n} environments into a fresh config repo (${runs} runs)`);
    const out: CliRun[] = [];
    let repo = '';
    for (let i = 0; i < runs; i++) {
      // Earlier repos stay until the end: deleting thousands of files right before a run makes the
      // next writes wait for the file system to catch up (online discard on this VM's disk), which
      // would be the bench measuring itself.
      repo = join(work, `config-repo-${n}-${i}`);
      const r = mustSucceed(cli(['--all', '--source', sources.get(n)!, '--repo', repo, '--author', 'Bench <bench@example.com>'], { rss: true }), `full write of ${n}`);
      const commits = Number(git(repo, ['rev-list', '--count', 'HEAD']));
      const status = git(repo, ['status', '--porcelain']);
      const tracked = git(repo, ['ls-files']).split('\n').length;
      if (commits !== 1 || status !== '' || tracked !== inProcess[n]!.files) {
        throw new Error(
          `full write of ${n}: expected 1 commit, a clean tree and ${inProcess[n]!.files} files; got ${commits} commits, ${tracked} files, status:\n${status.slice(0, 2000)}`,
        );
      }
      out.push(r);
    }
    return { runs: out, repo };
  };
  const writes100 = fullWrite(100, RUNS);
  const { runs: writes, repo } = fullWrite(FLEET, WRITE_RUNS);
  // Context for the write figures: what merely creating that many files costs on this file system
  // (a full write creates each file twice: in the working tree and as a git object).
  const floorRuns = Array.from({ length: WRITE_RUNS }, (_, i) => {
    const dir = join(work, `fs-floor-${i}`);
    const text = 'x'.repeat(Math.round(at1000.bytes / at1000.files));
    const t = performance.now();
    // Folder by folder, as the transaction stages them.
    const perFolder = Math.ceil(at1000.files / FLEET);
    for (let f = 0; f < at1000.files; f++) {
      const sub = join(dir, 'envs', String(Math.floor(f / perFolder)), 'manifests');
      if (f % perFolder === 0) mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `${f}.yaml`), text);
    }
    return performance.now() - t; // removed with the rest at the end, for the reason above
  });
  const head = git(repo, ['rev-parse', 'HEAD']);
  const stampBefore = treeStamp(repo);
  const cachesBefore = cacheStamp(repo);

  log(`bench: no-change re-run over ${FLEET} environments (${RUNS} runs)`);
  const noChange: CliRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = mustSucceed(cli(['--all', '--source', sources.get(FLEET)!, '--repo', repo, '--author', 'Bench <bench@example.com>'], { rss: true }), 'no-change re-run');
    const after = git(repo, ['rev-parse', 'HEAD']);
    const status = git(repo, ['status', '--porcelain']);
    const stamp = treeStamp(repo);
    if (
      !r.stdout.includes('up to date') ||
      after !== head ||
      status !== '' ||
      stamp.files !== stampBefore.files ||
      stamp.newestMtimeMs !== stampBefore.newestMtimeMs ||
      cacheStamp(repo) !== cachesBefore
    ) {
      throw new Error(
        `no-change re-run wrote or committed something: HEAD ${head} → ${after}, files ${stampBefore.files} → ${stamp.files}, newest mtime ${stampBefore.newestMtimeMs} → ${stamp.newestMtimeMs}, status:\n${status.slice(0, 2000)}\nstdout: ${r.stdout.slice(-500)}`,
      );
    }
    noChange.push(r);
  }
  log(`bench: HEAD unchanged after ${RUNS} no-change re-runs: ${head.slice(0, 12)}; no file written, caches untouched`);

  // What a fresh clone of the config repo pays: no render or parse cache in its .git.
  log(`bench: no-change re-run over ${FLEET} environments without caches (${RUNS} runs)`);
  const noChangeUncached: CliRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    rmSync(join(repo, '.git', 'gen-gitops'), { recursive: true, force: true });
    const r = mustSucceed(cli(['--all', '--source', sources.get(FLEET)!, '--repo', repo, '--author', 'Bench <bench@example.com>'], { rss: true }), 'uncached no-change re-run');
    if (!r.stdout.includes('up to date') || git(repo, ['rev-parse', 'HEAD']) !== head || treeStamp(repo).newestMtimeMs !== stampBefore.newestMtimeMs)
      throw new Error('uncached no-change re-run wrote or committed something');
    noChangeUncached.push(r);
  }

  // ------------------------------------------------------------ 4. cold single environment inside the fleet
  log(`bench: cold single environment inside the ${FLEET}-environment fleet, against the populated repo (${RUNS} runs)`);
  const fleetColdArgs = ['--env', fleetEnv, '--dry-run', '--source', sources.get(FLEET)!, '--repo', repo];
  const fleetCold = Array.from({ length: RUNS }, () => {
    const r = mustSucceed(cli(fleetColdArgs), 'cold single environment in fleet');
    if (!r.stdout.includes('up to date')) throw new Error(`expected ${fleetEnv} up to date, got: ${r.stdout.slice(0, 500)}`);
    return r.ms;
  });

  // ------------------------------------------------------------ 5. kustomize build, once per environment
  // The standalone kustomize (Go module sigs.k8s.io/kustomize/kustomize/v5, as ArgoCD runs it):
  // GEN_GITOPS_KUSTOMIZE, else `kustomize` on PATH (.ci/run and `npm run e2e -- --install` put it in the e2e cache).
  const kustomizeBin = process.env.GEN_GITOPS_KUSTOMIZE || 'kustomize';
  const kustomizeVersion = toolVersion(kustomizeBin, ['version']);
  let kustomize: { sample: number; perEnvMedianMs: number; perEnvMeanMs: number; extrapolatedS: number; docs: number } | undefined;
  if (kustomizeVersion) {
    const step = Math.floor(FLEET / KUSTOMIZE_SAMPLE);
    const sample = Array.from({ length: KUSTOMIZE_SAMPLE }, (_, i) => fleet[i * step]!.name);
    log(`bench: kustomize build envs/<env>/manifests, once per environment, ${sample.length} of ${FLEET} (every ${step}th), extrapolated`);
    const times: number[] = [];
    let docs = 0;
    for (const env of sample) {
      const dir = join(repo, 'envs', env, 'manifests');
      const t = performance.now();
      const r = spawnSync(kustomizeBin, ['build', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      times.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`kustomize build ${dir} failed: ${r.stderr}`);
      // Same objects as gen-gitops wrote: one per file, besides kustomization.yaml.
      const built = r.stdout.split(/^---$/m).filter((d) => /^kind:/m.test(d)).length;
      const files = readdirSync(dir).filter((f) => f !== 'kustomization.yaml').length;
      if (built !== files) throw new Error(`kustomize build ${dir}: ${built} objects, ${files} files`);
      docs += built;
    }
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    kustomize = { sample: sample.length, perEnvMedianMs: median(times), perEnvMeanMs: mean, extrapolatedS: (mean * FLEET) / 1000, docs };
  } else {
    log('bench: kustomize not found (set GEN_GITOPS_KUSTOMIZE or put it on PATH): kustomize comparison skipped');
  }

  // ------------------------------------------------------------ report
  const coldS = median(cold) / 1000;
  const fleetColdS = median(fleetCold) / 1000;
  const writeS = median(writes.map((w) => w.ms)) / 1000;
  const write100S = median(writes100.runs.map((w) => w.ms)) / 1000;
  const writeMarginalMs = ((writeS - write100S) * 1000) / (FLEET - 100);
  const floorS = median(floorRuns) / 1000;
  const writeRss = Math.max(...writes.map((w) => w.peakRssMb ?? 0));
  const noChangeS = median(noChange.map((w) => w.ms)) / 1000;
  const noChangeRss = Math.max(...noChange.map((w) => w.peakRssMb ?? 0));
  const noChangeUncachedS = median(noChangeUncached.map((w) => w.ms)) / 1000;
  const noChangeUncachedRss = Math.max(...noChangeUncached.map((w) => w.peakRssMb ?? 0));
  const writePhases = medianPhases(writes);
  const phase = (label: string) => (writePhases[label] ?? 0) / 1000;
  const gitS = phase('start git fast-import') + phase('git commit') + phase('lock + git status');
  const ratio = kustomize ? writeS / kustomize.extrapolatedS : undefined;

  const ok = (pass: boolean) => (pass ? 'yes' : '**no**');
  const s = (x: number) => `${x.toFixed(2)} s`;
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const mb = (x: number) => `${Math.round(x)} MB`;
  const rows: [string, string, string, string][] = [
    [`cold single environment: \`--env ${shippedEnv} --dry-run\`, shipped 3-environment source, start to exit`, s(coldS), `≤ ${TARGET.coldS} s`, ok(coldS <= TARGET.coldS)],
    [
      `cold single environment inside the ${FLEET}-env fleet (validates all ${FLEET} files; their parses remembered in the populated repo)`,
      s(fleetColdS),
      `≤ ${TARGET.coldS} s`,
      ok(fleetColdS <= TARGET.coldS),
    ],
  ];
  for (const n of SIZES) {
    const r = inProcess[n]!;
    rows.push([
      `in-process render + validate + serialise, N = ${n}: total (load+validate ${Math.round(r.loadMs)} ms, render+schema ${Math.round(r.renderCheckMs)} ms) / per env`,
      `${r.medianMs >= 1000 ? s(r.medianMs / 1000) : `${Math.round(r.medianMs)} ms`} / ${ms(r.perEnvMs)}`,
      '—',
      '',
    ]);
    rows.push([
      `peak RSS, in-process N = ${n} (own process)`,
      mb(r.peakRssMb),
      n === 1000 ? `≤ ${TARGET.peakRssMb} MB` : '—',
      n === 1000 ? ok(r.peakRssMb <= TARGET.peakRssMb) : '',
    ]);
  }
  rows.push(
    ['marginal time per environment, in-process (N = 100 → 1,000)', ms(marginalMs), `≤ ${TARGET.marginalMs} ms`, ok(marginalMs <= TARGET.marginalMs)],
    ['linearity: per-env time at 1,000 ÷ per-env time at 100', `${linearity.toFixed(2)}×`, `≤ ${TARGET.linearity}×`, ok(linearity <= TARGET.linearity)],
    [`full write + commit, 100 envs (${at100.files} files), fresh repo, \`--all\` (CLI, start to exit)`, s(write100S), '—', ''],
    [
      `full write + commit, ${FLEET} envs (${at1000.files} files), fresh repo, \`--all\` (CLI, start to exit)`,
      s(writeS),
      `≤ ${TARGET.write1000S} s`,
      ok(writeS <= TARGET.write1000S),
    ],
    [
      `of which (the run's own phase timings): load + validate ${s(phase('load + validate input'))}, render + check ${s(phase('render + check'))}, writing the files ${s(phase('stage files') + phase('sync staged files') + phase('swap folders'))}, git ${s(gitS)}`,
      '',
      '—',
      '',
    ],
    [`context: creating ${at1000.files} files of that size in ${FLEET} fresh folders on this file system (no rendering, no git)`, s(floorS), '—', ''],
    ['marginal time per environment, full write + commit (N = 100 → 1,000)', ms(writeMarginalMs), `≤ ${TARGET.marginalMs} ms`, ok(writeMarginalMs <= TARGET.marginalMs)],
    [`peak RSS, full write of ${FLEET}`, mb(writeRss), `≤ ${TARGET.peakRssMb} MB`, ok(writeRss <= TARGET.peakRssMb)],
    [
      `no-change re-run, ${FLEET} envs (asserted: \`up to date\`, HEAD unchanged, no file written, caches untouched)`,
      s(noChangeS),
      `≤ ${TARGET.noChange1000S} s`,
      ok(noChangeS <= TARGET.noChange1000S),
    ],
    [`peak RSS, no-change re-run of ${FLEET}`, mb(noChangeRss), `≤ ${TARGET.peakRssMb} MB`, ok(noChangeRss <= TARGET.peakRssMb)],
    [`no-change re-run, ${FLEET} envs, without the render and parse caches (a fresh clone of the config repo)`, s(noChangeUncachedS), '—', ''],
    [`peak RSS, uncached no-change re-run of ${FLEET}`, mb(noChangeUncachedRss), `≤ ${TARGET.peakRssMb} MB`, ok(noChangeUncachedRss <= TARGET.peakRssMb)],
  );
  if (kustomize && ratio !== undefined) {
    rows.push(
      [`\`kustomize build envs/<env>/manifests\`, once per env (median of ${kustomize.sample} sampled envs)`, ms(kustomize.perEnvMedianMs), '—', ''],
      [`kustomize for ${FLEET} envs (mean of the sample × ${FLEET}, extrapolated)`, s(kustomize.extrapolatedS), '—', ''],
      [`ratio gen-gitops ÷ kustomize (full write + commit of ${FLEET} ÷ kustomize × ${FLEET})`, `${ratio.toFixed(2)}×`, '< 1×', ok(ratio < 1)],
    );
  } else {
    rows.push(['`kustomize build` comparison', 'skipped: kustomize not found', '—', '']);
  }

  const table = ['| measure | median | target | met |', '|---|---:|---:|:---:|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    git: toolVersion('git', ['--version']),
    kustomize: kustomizeVersion,
    // Other work on the machine inflates every figure: the 1-minute load average before and after.
    loadAverage: { before: loadBefore[0]!, after: loadavg()[0]! },
  };
  const fleetInfo = {
    environments: FLEET,
    stages: STAGES,
    clusters: CLUSTERS,
    files: at1000.files,
    bytes: at1000.bytes,
    externalPostgres: fleet.filter((e) => e.text.includes('\n  host: ')).length,
    externalMinio: fleet.filter((e) => e.text.includes('\n  endpoint: ')).length,
    plainSecrets: fleet.filter((e) => e.text.includes('provider: plain')).length,
    production: fleet.filter((e) => e.text.includes('production: true')).length,
  };
  const results = {
    date: new Date().toISOString(),
    machine,
    fleet: fleetInfo,
    runs: { default: RUNS, writes: WRITE_RUNS },
    targets: TARGET,
    coldSingle: { env: shippedEnv, source: 'shipped environments/ (3 environments)', medianS: coldS, runsMs: cold },
    coldSingleInFleet: { env: fleetEnv, medianS: fleetColdS, runsMs: fleetCold },
    inProcess,
    marginalPerEnvMs: marginalMs,
    linearity,
    fullWrite100: { medianS: write100S, runsMs: writes100.runs.map((w) => w.ms), peakRssMb: Math.max(...writes100.runs.map((w) => w.peakRssMb ?? 0)) },
    fullWrite: { medianS: writeS, runsMs: writes.map((w) => w.ms), peakRssMb: writeRss, phasesMs: writePhases },
    fullWriteMarginalPerEnvMs: writeMarginalMs,
    fileSystemFloor: { files: at1000.files, medianS: floorS, runsMs: floorRuns },
    noChange: {
      medianS: noChangeS,
      runsMs: noChange.map((w) => w.ms),
      peakRssMb: noChangeRss,
      phasesMs: medianPhases(noChange),
      head,
      assertions: 'stdout "up to date"; HEAD unchanged; git status clean; file count and newest mtime unchanged; render and parse caches not rewritten',
    },
    noChangeUncached: { medianS: noChangeUncachedS, runsMs: noChangeUncached.map((w) => w.ms), peakRssMb: noChangeUncachedRss, phasesMs: medianPhases(noChangeUncached) },
    kustomize: kustomize
      ? {
          ...kustomize,
          ratio,
          note: `sampled ${kustomize.sample} of ${FLEET} environments (every ${Math.floor(FLEET / KUSTOMIZE_SAMPLE)}th), run sequentially; total extrapolated from the sample mean`,
        }
      : { skipped: 'kustomize not found' },
    table,
  };
  const resultsPath = join(root, 'bench', 'results.json');
  mkdirSync(join(root, 'bench'), { recursive: true });
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);

  process.stdout.write(`\n${table}\n\n`);
  process.stdout.write(
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.git ?? 'git ?'}${machine.kustomize ? `, kustomize ${machine.kustomize}` : ''}.\n` +
      `Fleet: ${FLEET} synthetic environments (${STAGES.length} stages × ${FLEET / STAGES.length} tenants on ${CLUSTERS.length} clusters), ${at1000.files} files, ${(at1000.bytes / 1024 / 1024).toFixed(1)} MB. ` +
      `Medians of ${RUNS} runs (${WRITE_RUNS} for 1,000-environment writes and in-process N = 1,000); bench total ${((performance.now() - t0) / 1000).toFixed(0)} s.\n` +
      `Load average (1 min): ${machine.loadAverage.before.toFixed(1)} before, ${machine.loadAverage.after.toFixed(1)} after${Math.max(machine.loadAverage.before, machine.loadAverage.after) > machine.cpus ? ' — the machine was busy with other work: figures are inflated' : ''}.\n` +
      `Results: ${resultsPath}\n`,
  );
} finally {
  if (process.env['BENCH_KEEP'] === '1') log(`bench: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

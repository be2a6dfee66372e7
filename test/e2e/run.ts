/**
 * `npm run e2e`: every scenario, then one table (scenario, sync result, client
 * checks passed/failed, seconds) and the closing `N passed, N failed` line.
 *
 *   npm run e2e                                   every scenario
 *   npm run e2e -- --only <text>                  scenarios whose name contains the text
 *   npm run e2e -- --source <dir> --env <name>    render that environment and run it
 *   npm run e2e -- --source <dir> --env <name> --serve   …and keep it running (see README)
 *   … --sealed-secrets-key <pem>                  the controller's key, for an environment using sealed-secrets
 *   npm run e2e -- --install                      only install the programs the scenarios need
 *
 * Needs root (namespaces, mounts, other users) and the tools .ci/run installs.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type KnownFailure, judge } from './known.js';
import { runScenario, wasInterrupted, type Outcome, type Scenario } from './scenario.js';
import { NEWEST_MLFLOW, OLDEST_MLFLOW, scenarios, selfTests } from './scenarios.js';
import { resolveImage } from './images.js';
import { ensureImages, ensureKustomize } from './install.js';
import { defaultImages } from './prepare.js';

function table(rows: readonly (Outcome & { verdict: string })[]): string {
  const head = ['scenario', 'sync', 'client checks', 'seconds', 'result'];
  const body = rows.map((r) => [r.name, r.sync, `${r.checksPassed} passed, ${r.checksFailed} failed`, r.seconds.toFixed(1), r.verdict]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      source: { type: 'string' },
      env: { type: 'string' },
      serve: { type: 'boolean', default: false },
      install: { type: 'boolean', default: false },
      'sealed-secrets-key': { type: 'string' },
    },
  });
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run e2e needs root: it creates namespaces, mounts and runs containers as their users (CI runs as root)\n');
    return 2;
  }
  if (values.install) {
    const started = Date.now();
    await Promise.all([
      ensureKustomize(),
      ensureImages([...new Set([OLDEST_MLFLOW, NEWEST_MLFLOW])].map((t) => resolveImage(`ghcr.io/mlflow/mlflow:${t}`))),
      ensureImages(defaultImages().map(resolveImage)),
    ]);
    process.stdout.write(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  }
  let list: Scenario[];
  if (values.source !== undefined || values.env !== undefined) {
    if (!values.source || !values.env) {
      process.stderr.write('--source and --env go together\n');
      return 2;
    }
    const key = values['sealed-secrets-key'];
    list = [
      {
        name: `${values.env} from ${values.source}`,
        env: values.env,
        source: values.source,
        serve: values.serve,
        // Secrets as in the scenarios: `existing` from `gen-gitops secrets`, `plain` from the render,
        // `sealed-secrets` unsealed with the controller key given here.
        setup: () => (key ? { sealedSecretsKey: key } : {}),
      },
    ];
  } else {
    list = [...selfTests, ...scenarios].filter((s) => values.only === undefined || s.name.includes(values.only));
  }
  const known = JSON.parse(readFileSync(new URL('./known-failures.json', import.meta.url), 'utf8')) as KnownFailure[];
  const rows: (Outcome & { verdict: string })[] = [];
  // With --serve, stdout carries the one JSON line; everything else goes to stderr.
  const out = values.serve ? process.stderr : process.stdout;
  for (const s of list) {
    if (wasInterrupted()) {
      out.write('\ninterrupted: the remaining scenarios did not run\n');
      break;
    }
    out.write(`\n=== ${s.name}\n`);
    const o = await runScenario(s);
    const verdict = judge(o, known);
    rows.push({ ...o, verdict: verdict.label });
    out.write(`=== ${s.name}: ${verdict.label} (${o.seconds.toFixed(1)} s)\n${o.detail ? `${o.detail}\n` : ''}`);
  }
  const passed = rows.filter((r) => r.verdict.startsWith('passed') || r.verdict.startsWith('known')).length;
  out.write(`\n${table(rows)}\n\n${passed} passed, ${rows.length - passed} failed\n`);
  return passed === rows.length && !wasInterrupted() ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);

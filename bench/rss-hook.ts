/**
 * Preloaded into a CLI child (`node --import <this> bin/gen-gitops.js …`) so
 * the benchmark learns the child's peak RSS, which Node cannot ask of another
 * process: on exit, writes maxRSS (MB) to the file named by GEN_GITOPS_BENCH_RSS.
 */
import { writeFileSync } from 'node:fs';

const out = process.env['GEN_GITOPS_BENCH_RSS'];
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS / 1024)));

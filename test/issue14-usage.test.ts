import test from 'ava';
import { existsSync } from 'node:fs';
import { makeWorkspace, runIn } from './helpers/workspace.js';

for (const [title, args] of [
  ['--env together with --all', ['--env', 'stg', '--all']],
  ['--env together with --all (--check)', ['--all', '--env', 'dev', '--check']],
  ["--lock-timeout ''", ['--env', 'stg', '--lock-timeout', '']],
  ["--lock-timeout ' '", ['--env', 'stg', '--lock-timeout', ' ']],
] as const) {
  test(`issue 14.18: ${title} is a usage error (exit 2), nothing written`, async (t) => {
    const ws = makeWorkspace();
    t.teardown(ws.cleanup);
    const r = await runIn(ws, [...args]);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /--all|--lock-timeout/);
    t.false(existsSync(ws.repo));
  });
}

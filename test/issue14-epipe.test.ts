import test from 'ava';
import { spawnSync } from 'node:child_process';
import { binPath, makeWorkspace } from './helpers/workspace.js';

test('issue 14.17: `--check | head -1` still exits 3 when out of date (EPIPE is not success)', (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  // --diff of a whole first render is far more than a pipe buffer: writes after head exits fail with EPIPE.
  const script = `"${process.execPath}" "${binPath}" --all --check --diff --source "${ws.source}" --repo "${ws.repo}" | head -1 >/dev/null; exit \${PIPESTATUS[0]}`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 3, r.stderr);
  t.notRegex(r.stderr, /unexpected|EPIPE/);
});

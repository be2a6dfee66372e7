/**
 * A config repo with every environment committed, the tree and HEAD as they
 * were, and a change to stg waiting in the source: the start of every test
 * that breaks a write run and checks that nothing moved.
 */
import type { ExecutionContext } from 'ava';
import { git, snapshotTree } from './git.js';
import { makeWorkspace, runIn, type Workspace } from './workspace.js';

export async function committedWithPendingChange(t: ExecutionContext): Promise<{ ws: Workspace; before: Map<string, string>; head: string }> {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  t.is((await runIn(ws, ['--all'])).code, 0);
  const before = snapshotTree(ws.repo);
  const head = git(ws.repo, 'rev-parse', 'HEAD').trim();
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));
  return { ws, before, head };
}

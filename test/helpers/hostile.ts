/** Shared setup for the hostile-input tests (test/hostile-input*.test.ts). */
import type { ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_PROBLEMS_PER_FILE } from '../../generator/environment/source.js';
import { InputError, UserError } from '../../generator/errors.js';
import { loadInput } from '../../generator/pipeline/input.js';
import { renderChecked } from '../../generator/pipeline/render.js';
import { ConfigRepoSnapshot } from '../../generator/pipeline/snapshot.js';
import type { RenderResult } from '../../generator/render/render.js';
import { makeWorkspace, type Workspace } from './workspace.js';

export const STACK = /\n\s+at .+:\d+:\d+\)?(\n|$)/;

export function workspace(t: ExecutionContext): Workspace {
  const ws = makeWorkspace('gen-gitops-hostile-');
  t.teardown(ws.cleanup);
  return ws;
}

export const replaceIn = (ws: Workspace, env: string, from: string | RegExp, to: string) => {
  const before = ws.readEnv(env);
  const after = before.replace(from, () => to);
  if (after === before) throw new Error(`test edit did not apply to ${env}.yaml: ${String(from)}`);
  ws.writeEnv(env, after);
};
export const defaultsFile = (ws: Workspace) => join(ws.source, 'environments', 'defaults.yaml');

export async function renderAll(ws: Workspace, envs: string[] = []): Promise<RenderResult> {
  const input = loadInput(ws.source, envs, envs.length === 0);
  return renderChecked(input, ConfigRepoSnapshot.empty(), { environ: {} });
}

/** Loads and renders; expects exit 2 with a short message that names `file` and matches every pattern. */
export async function refused(t: ExecutionContext, ws: Workspace, patterns: RegExp[], opts: { file?: string; envs?: string[] } = {}): Promise<UserError> {
  let error: unknown;
  try {
    await renderAll(ws, opts.envs);
  } catch (e) {
    error = e;
  }
  if (!(error instanceof UserError)) {
    t.fail(`expected exit 2, got ${error === undefined ? 'a successful render' : ((error as Error).stack ?? String(error))}`);
    throw error;
  }
  t.is(error.exitCode, 2, error.message);
  if (opts.file !== undefined) t.true(error.message.includes(opts.file), `message names ${opts.file}: ${error.message}`);
  for (const re of patterns) t.regex(error.message, re);
  t.notRegex(error.message, STACK, 'no stack trace');
  if (error instanceof InputError) t.true(error.problems.length <= MAX_PROBLEMS_PER_FILE + 1, `${error.problems.length} problems`);
  t.true(error.message.length < 4000, `message is ${error.message.length} characters`);
  return error;
}

export const stg = 'environments/stg.yaml';

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

export const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');

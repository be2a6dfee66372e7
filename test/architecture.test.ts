/**
 * The shape ARCHITECTURE.md promises, checked: no import cycle among the
 * product's modules (type-only imports included: eslint's import-x/no-cycle
 * skips those), and side effects only at the edges: the pure stages
 * (environment → components → render → argocd) import no file system, git,
 * process or network module.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { projectRoot } from './helpers/workspace.js';

const SRC = join(projectRoot, 'generator');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every module specifier a file imports or re-exports (static, type-only and dynamic). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

const files = sources(SRC);
const graph = new Map(
  files.map((f) => [
    relative(SRC, f),
    specifiers(readFileSync(f, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(SRC, resolve(dirname(f), s.replace(/\.js$/, '.ts')))),
  ]),
);

/** Each cycle of a module graph, as `a → b → a` (depth-first; one per back edge). */
function findCycles(g: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of g.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of [...g.keys()].sort()) visit(node, []);
  return cycles;
}

test('no import cycle among generator/ modules, type-only imports included', (t) => {
  t.true(graph.size > 50, 'the module graph was read');
  t.deepEqual(findCycles(graph), []);
});

test('the check is not vacuous: it reads every kind of import and finds a cycle through a type-only one', (t) => {
  t.deepEqual(specifiers("import type { A } from './a.js';\nexport { b } from '../b.js';\nconst c = await import('./c.js');"), ['./a.js', '../b.js', './c.js']);
  const g = new Map([
    ['run.ts', ['render/checked.ts']],
    ['render/checked.ts', ['report.ts']],
    ['report.ts', ['run.ts']],
    ['leaf.ts', []],
  ]);
  t.deepEqual(findCycles(g), ['render/checked.ts → report.ts → run.ts → render/checked.ts']);
});

test('pure stages import no side-effecting module', (t) => {
  const SIDE_EFFECTS = /^(node:)?(fs|child_process|net|http|https|worker_threads|fs\/promises)$|^simple-git$|^@octokit\//;
  // argocd/preview*.ts and repo-server.ts read a config repo working tree (the preview command's edge).
  const pure = files
    .map((f) => relative(SRC, f))
    .filter((f) =>
      /^(environment\/(resolve|spec|types|cluster-rules|postgres-upgrade)|components\/|charts\/|render\/(render|plan|serialize|summary|removal|commit-message|diff|fast-yaml)|argocd\/(render|project|parameters|fasttemplate|selector|glob|git-generator|upstream\/))/.test(
        f,
      ),
    );
  t.true(pure.length > 20, 'the pure stages were found');
  const offenders = pure.flatMap((f) =>
    specifiers(readFileSync(join(SRC, f), 'utf8'))
      .filter((s) => SIDE_EFFECTS.test(s))
      .map((s) => `${f} imports ${s}`),
  );
  t.deepEqual(offenders, []);
});

/**
 * Go path package port (generator/argocd/upstream/go-path.ts): cleantests,
 * basetests and dirtests of Go's src/path/path_test.go (golang/go@11d83d11ca2e).
 * ArgoCD's git generator names parameters with path.Dir and path.Base.
 */
import test from 'ava';

import { goPathBase, goPathClean, goPathDir } from '../generator/argocd/upstream/go-path.js';

const cleantests: [string, string][] = [
  // Already clean
  ['', '.'],
  ['abc', 'abc'],
  ['abc/def', 'abc/def'],
  ['a/b/c', 'a/b/c'],
  ['.', '.'],
  ['..', '..'],
  ['../..', '../..'],
  ['../../abc', '../../abc'],
  ['/abc', '/abc'],
  ['/', '/'],
  // Remove trailing slash
  ['abc/', 'abc'],
  ['abc/def/', 'abc/def'],
  ['a/b/c/', 'a/b/c'],
  ['./', '.'],
  ['../', '..'],
  ['../../', '../..'],
  ['/abc/', '/abc'],
  // Remove doubled slash
  ['abc//def//ghi', 'abc/def/ghi'],
  ['//abc', '/abc'],
  ['///abc', '/abc'],
  ['//abc//', '/abc'],
  ['abc//', 'abc'],
  // Remove . elements
  ['abc/./def', 'abc/def'],
  ['/./abc/def', '/abc/def'],
  ['abc/.', 'abc'],
  // Remove .. elements
  ['abc/def/ghi/../jkl', 'abc/def/jkl'],
  ['abc/def/../ghi/../jkl', 'abc/jkl'],
  ['abc/def/..', 'abc'],
  ['abc/def/../..', '.'],
  ['/abc/def/../..', '/'],
  ['abc/def/../../..', '..'],
  ['/abc/def/../../..', '/'],
  ['abc/def/../../../ghi/jkl/../../../mno', '../../mno'],
  // Combinations
  ['abc/./../def', 'def'],
  ['abc//./../def', 'def'],
  ['abc/../../././../def', '../../def'],
];

const basetests: [string, string][] = [
  ['', '.'],
  ['.', '.'],
  ['/.', '.'],
  ['/', '/'],
  ['////', '/'],
  ['x/', 'x'],
  ['abc', 'abc'],
  ['abc/def', 'def'],
  ['a/b/.x', '.x'],
  ['a/b/c.', 'c.'],
  ['a/b/c.x', 'c.x'],
];

const dirtests: [string, string][] = [
  ['', '.'],
  ['.', '.'],
  ['/.', '/'],
  ['/', '/'],
  ['////', '/'],
  ['/foo', '/'],
  ['x/', 'x'],
  ['abc', '.'],
  ['abc/def', 'abc'],
  ['abc////def', 'abc'],
  ['a/b/.x', 'a/b'],
  ['a/b/c.', 'a/b'],
  ['a/b/c.x', 'a/b'],
];

test('path.Clean: upstream cleantests, and Clean is idempotent', (t) => {
  for (const [path, result] of cleantests) {
    t.is(goPathClean(path), result, path);
    t.is(goPathClean(result), result, `Clean(${result})`);
  }
});

test('path.Base: upstream basetests', (t) => {
  for (const [path, result] of basetests) t.is(goPathBase(path), result, path);
});

test('path.Dir: upstream dirtests', (t) => {
  for (const [path, result] of dirtests) t.is(goPathDir(path), result, path);
});

/**
 * bmatcuk/doublestar port (generator/argocd/upstream/doublestar.ts): every
 * row of matchTests in doublestar_test.go (bmatcuk/doublestar@9fded312dd97,
 * v4.9.1+1, the newest stored; ArgoCD pins v4.10.0) through Match and
 * ValidatePattern, plus the prevalidated matcher and SplitPattern's glob part
 * that the repo server's FilepathGlob stand-in uses.
 */
import test from 'ava';

import { doublestarGlobPart, doublestarMatch, doublestarMatchPrevalidated, doublestarValidatePattern } from '../generator/argocd/upstream/doublestar.js';

// [pattern, path, shouldMatch, ErrBadPattern] — doublestar_test.go matchTests.
const matchTests: [string, string, boolean, boolean][] = [
  ['', '', true, false],
  ['*', '', true, false],
  ['*', '/', false, false],
  ['/*', '/', true, false],
  ['/*', '/debug/', false, false],
  ['/*', '//', false, false],
  ['abc', 'abc', true, false],
  ['*', 'abc', true, false],
  ['*c', 'abc', true, false],
  ['*/', 'a/', true, false],
  ['a*', 'a', true, false],
  ['a*', 'abc', true, false],
  ['a*', 'ab/c', false, false],
  ['a*/b', 'abc/b', true, false],
  ['a*/b', 'a/c/b', false, false],
  ['a*/c/', 'a/b', false, false],
  ['a*b*c*d*e*', 'axbxcxdxe', true, false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true, false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true, false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false, false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false, false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true, false],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false, false],
  ['ab[c]', 'abc', true, false],
  ['ab[b-d]', 'abc', true, false],
  ['ab[e-g]', 'abc', false, false],
  ['ab[^c]', 'abc', false, false],
  ['ab[^b-d]', 'abc', false, false],
  ['ab[^e-g]', 'abc', true, false],
  ['a\\*b', 'ab', false, false],
  ['a?b', 'a☺b', true, false],
  ['a[^a]b', 'a☺b', true, false],
  ['a[!a]b', 'a☺b', true, false],
  ['a???b', 'a☺b', false, false],
  ['a[^a][^a][^a]b', 'a☺b', false, false],
  ['[a-ζ]*', 'α', true, false],
  ['*[a-ζ]', 'A', false, false],
  ['a?b', 'a/b', false, false],
  ['a*b', 'a/b', false, false],
  ['[\\]a]', ']', true, false],
  ['[\\-]', '-', true, false],
  ['[x\\-]', 'x', true, false],
  ['[x\\-]', '-', true, false],
  ['[x\\-]', 'z', false, false],
  ['[\\-x]', 'x', true, false],
  ['[\\-x]', '-', true, false],
  ['[\\-x]', 'a', false, false],
  ['[]a]', ']', false, true],
  ['[-]', '-', true, false],
  ['[x-]', 'x', true, false],
  ['[x-]', '-', true, false],
  ['[x-]', 'z', false, false],
  ['[-x]', 'x', true, false],
  ['[-x]', '-', true, false],
  ['[-x]', 'a', false, false],
  ['[a-b-d]', 'a', true, false],
  ['[a-b-d]', 'b', true, false],
  ['[a-b-d]', '-', true, false],
  ['[a-b-d]', 'c', false, false],
  ['[a-b-x]', 'x', true, false],
  ['\\', 'a', false, true],
  ['[', 'a', false, true],
  ['[^', 'a', false, true],
  ['[^bc', 'a', false, true],
  ['a[', 'a', false, true],
  ['a[', 'ab', false, true],
  ['ad[', 'ab', false, true],
  ['*x', 'xxx', true, false],
  ['[abc]', 'b', true, false],
  ['[abc123]', '1', true, false],
  ['[a-z0-9]', '1', true, false],
  ['**', '', true, false],
  ['a/**', 'a', true, false],
  ['a/**/', 'a', true, false],
  ['a/**', 'a/', true, false],
  ['a/**/', 'a/', true, false],
  ['a/**', 'a/b', true, false],
  ['a/**', 'a/b/c', true, false],
  ['**/c', 'c', true, false],
  ['**/c', 'b/c', true, false],
  ['**/c', 'a/b/c', true, false],
  ['**/c', 'a/b', false, false],
  ['**/c', 'abcd', false, false],
  ['**/c', 'a/abc', false, false],
  ['a/**/b', 'a/b', true, false],
  ['a/**/c', 'a/b/c', true, false],
  ['a/**/d', 'a/b/c/d', true, false],
  ['a/\\**', 'a/b/c', false, false],
  ['a/\\[*\\]', 'a/bc', false, false],
  ['a/b/c', 'a/b//c', false, false],
  ['a/', 'a', false, false],
  ['ab{c,d}', 'abc', true, false],
  ['ab{c,d,*}', 'abcde', true, false],
  ['ab{c,d}[', 'abcd', false, true],
  ['a{,bc}', 'a', true, false],
  ['a{,bc}', 'abc', true, false],
  ['a/{b/c,c/b}', 'a/b/c', true, false],
  ['a/{b/c,c/b}', 'a/c/b', true, false],
  ['a/a*{b,c}', 'a/abc', true, false],
  ['{a/{b,c},abc}', 'a/b', true, false],
  ['{a/{b,c},abc}', 'a/c', true, false],
  ['{a/{b,c},abc}', 'abc', true, false],
  ['{a/{b,c},abc}', 'a/b/c', false, false],
  ['{a/ab*}', 'a/abc', true, false],
  ['{a/*}', 'a/b', true, false],
  ['{a/abc}', 'a/abc', true, false],
  ['{a/b,a/c}', 'a/c', true, false],
  ['abc/**', 'abc/b', true, false],
  ['**/abc', 'abc', true, false],
  ['abc**', 'abc/b', false, false],
  ['**/*.txt', 'abc/【test】.txt', true, false],
  ['**/【*', 'abc/【test】.txt', true, false],
  ['**/{a,b}', 'a/b', true, false],
  ['a/*/*/d', 'a/b/c/d', true, false],
  ['broken-symlink', 'broken-symlink', true, false],
  ['broken-symlink/*', 'a', false, false],
  ['broken*/*', 'a', false, false],
  ['working-symlink/c/*', 'working-symlink/c/d', true, false],
  ['working-sym*/*', 'working-symlink/c', true, false],
  ['b/**/f', 'b/symlink-dir/f', true, false],
  ['*/symlink-dir/*', 'b/symlink-dir/f', true, false],
  ['e/\\[x\\]/*', 'e/[x]/[y]', true, false],
  ['e/\\[x\\]/*/z', 'e/[x]/[y]/z', true, false],
  ['e/**', 'e/**', true, false],
  ['e/**', 'e/*', true, false],
  ['e/**', 'e/?', true, false],
  ['e/**', 'e/[', true, false],
  ['e/**', 'e/]', true, false],
  ['e/**', 'e/[]', true, false],
  ['e/**', 'e/{', true, false],
  ['e/**', 'e/}', true, false],
  ['e/**', 'e/\\', true, false],
  ['e/*', 'e/*', true, false],
  ['e/?', 'e/?', true, false],
  ['e/?', 'e/*', true, false],
  ['e/?', 'e/[', true, false],
  ['e/?', 'e/]', true, false],
  ['e/?', 'e/{', true, false],
  ['e/?', 'e/}', true, false],
  ['e/\\[', 'e/[', true, false],
  ['e/[', 'e/[', false, true],
  ['e/]', 'e/]', true, false],
  ['e/\\]', 'e/]', true, false],
  ['e/\\{', 'e/{', true, false],
  ['e/\\}', 'e/}', true, false],
  ['e/[\\*\\?]', 'e/*', true, false],
  ['e/[\\*\\?]', 'e/?', true, false],
  ['e/[\\*\\?]', 'e/**', false, false],
  ['e/[\\*\\?]?', 'e/**', true, false],
  ['e/{\\*,\\?}', 'e/*', true, false],
  ['e/{\\*,\\?}', 'e/?', true, false],
  ['e/\\*', 'e/*', true, false],
  ['e/\\?', 'e/?', true, false],
  ['e/\\?', 'e/**', false, false],
  ['*\\}', '}', true, false],
  ['case-sensitive/fi*', 'case-sensitive/file', true, false],
  ['case-sensitive/FI*', 'case-sensitive/FILE', true, false],
  ['case-sensitive/Fi*', 'case-sensitive/File', true, false],
  ['nonexistent-path', 'a', false, false],
  ['nonexistent-path/', 'a', false, false],
  ['nonexistent-path/file', 'a', false, false],
  ['nonexistent-path/*', 'a', false, false],
  ['nonexistent-path/**', 'a', false, false],
  ['nopermission/*', 'nopermission/file', true, false],
  ['nopermission/dir/', 'nopermission/dir', false, false],
  ['nopermission/file', 'nopermission/file', true, false],
];

test('doublestar.Match: upstream matchTests', (t) => {
  for (const [pattern, path, shouldMatch, badPattern] of matchTests) {
    const label = `Match(${JSON.stringify(pattern)}, ${JSON.stringify(path)})`;
    if (badPattern) t.throws(() => doublestarMatch(pattern, path), { message: 'syntax error in pattern' }, label);
    else t.is(doublestarMatch(pattern, path), shouldMatch, label);
  }
});

test('doublestar.ValidatePattern: false exactly for the ErrBadPattern rows', (t) => {
  for (const [pattern, , , badPattern] of matchTests) t.is(doublestarValidatePattern(pattern), !badPattern, pattern);
});

test('doublestar matching without validation: only what matching reaches is checked', (t) => {
  // Match validates the unmatched rest of the pattern; the prevalidated matcher (Glob's) does not.
  t.throws(() => doublestarMatch('a[', 'x'), { message: 'syntax error in pattern' });
  t.false(doublestarMatchPrevalidated('a[', 'x'));
  // A bracket that matching reaches is malformed either way.
  t.throws(() => doublestarMatchPrevalidated('a[', 'ab'), { message: 'syntax error in pattern' });
  t.true(doublestarMatchPrevalidated('a/**/x.yaml', 'a/x.yaml'));
  t.true(doublestarMatchPrevalidated('{a,b}/*.yaml', 'b/c.yaml'));
  t.false(doublestarMatchPrevalidated('{a,b}/*.yaml', 'b/c/d.yaml'));
});

test('doublestar.SplitPattern: the glob part after the last literal directory', (t) => {
  t.is(doublestarGlobPart('/a/b/*.yaml'), '*.yaml');
  t.is(doublestarGlobPart('/a/b/c.yaml'), 'c.yaml');
  t.is(doublestarGlobPart('/a/{b,c}/d'), '{b,c}/d');
  t.is(doublestarGlobPart('/a\\/b/[x]'), '[x]'); // an escaped "/" is still a separator position
  t.is(doublestarGlobPart('no-slash*'), 'no-slash*');
  t.is(doublestarGlobPart('/**'), '**');
});

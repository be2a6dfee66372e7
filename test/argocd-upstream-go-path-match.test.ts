/**
 * Go path.Match port (generator/argocd/upstream/go-path-match.ts): every row
 * of matchTests in Go's src/path/match_test.go (golang/go@1b54bfdf578d), the
 * matcher of ArgoCD's directories generator (git.go filterApps).
 */
import test from 'ava';

import { BadPatternError, goPathMatch } from '../generator/argocd/upstream/go-path-match.js';

// [pattern, s, match, ErrBadPattern] — match_test.go matchTests.
const matchTests: [string, string, boolean, boolean][] = [
  ['abc', 'abc', true, false],
  ['*', 'abc', true, false],
  ['*c', 'abc', true, false],
  ['a*', 'a', true, false],
  ['a*', 'abc', true, false],
  ['a*', 'ab/c', false, false],
  ['a*/b', 'abc/b', true, false],
  ['a*/b', 'a/c/b', false, false],
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
  ['a\\*b', 'a*b', true, false],
  ['a\\*b', 'ab', false, false],
  ['a?b', 'a☺b', true, false],
  ['a[^a]b', 'a☺b', true, false],
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
  ['[-]', '-', false, true],
  ['[x-]', 'x', false, true],
  ['[x-]', '-', false, true],
  ['[x-]', 'z', false, true],
  ['[-x]', 'x', false, true],
  ['[-x]', '-', false, true],
  ['[-x]', 'a', false, true],
  ['\\', 'a', false, true],
  ['[a-b-c]', 'a', false, true],
  ['[', 'a', false, true],
  ['[^', 'a', false, true],
  ['[^bc', 'a', false, true],
  ['a[', 'a', false, true],
  ['a[', 'ab', false, true],
  ['a[', 'x', false, true],
  ['a/b[', 'x', false, true],
  ['*x', 'xxx', true, false],
];

test('path.Match: upstream matchTests', (t) => {
  for (const [pattern, s, match, badPattern] of matchTests) {
    const label = `Match(${JSON.stringify(pattern)}, ${JSON.stringify(s)})`;
    if (badPattern) t.throws(() => goPathMatch(pattern, s), { instanceOf: BadPatternError, message: 'syntax error in pattern' }, label);
    else t.is(goPathMatch(pattern, s), match, label);
  }
});

test('path.Match: what the directories generator relies on', (t) => {
  // `*` is one path segment: "apps/*" selects apps/x but not apps/x/y (nor apps itself).
  t.true(goPathMatch('apps/*', 'apps/x'));
  t.false(goPathMatch('apps/*', 'apps/x/y'));
  t.false(goPathMatch('apps/*', 'apps'));
  // No `**` and no `{a,b}`: they are plain `*` runs and literal braces.
  t.false(goPathMatch('apps/**', 'apps/x/y'));
  t.true(goPathMatch('{a,b}', '{a,b}'));
  t.false(goPathMatch('{a,b}', 'a'));
});

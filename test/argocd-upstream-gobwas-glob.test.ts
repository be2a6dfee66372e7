/**
 * gobwas/glob port (generator/argocd/upstream/gobwas-glob.ts): TestPatternMatch
 * cases of gobwas/glob glob_test.go (gobwas/glob@062800a435c7, newer than
 * ArgoCD's v0.2.3) not already in test/argocd-project.test.ts. Left out: the
 * rows for later fixes (backtracking after `**`, U+FFFD, an unclosed `{`
 * being an error), where v0.2.3 behaves differently or was never tested.
 * Plus the compiled form: anchored, cached, null on a syntax error.
 */
import test from 'ava';

import { compileGlob } from '../generator/argocd/upstream/gobwas-glob.js';

// [match, pattern, text, separators] — glob_test.go TestPatternMatch.
const patternMatch: [boolean, string, string, string?][] = [
  [false, 'a*a*a*a*b', 'a'.repeat(100)],
  [true, 'a*a*a*a*b', `${'a'.repeat(100)}b`],
  [true, '{a,ab}c', 'abc'],
  [true, '?at', 'fat'],
  [true, '*a*', 'a'],
  [true, '*test', 'this is a test'],
  [true, 'this*', 'this is a test'],
  [true, '*is *', 'this is a test'],
  [true, '**test**', 'this is a test'],
  [true, '*test*', 'test'],
  [false, '*no*', 'this is a test'],
  [true, '*abc', 'abcabc'],
  [true, '**abc', 'abcabc'],
  [true, '???', 'abc'],
  [true, '?*?', 'abc'],
  [false, 'sta', 'stagnation'],
  [true, 'sta*', 'stagnation'],
  [false, 'sta?', 'stagnation'],
  [true, '{,a}', ''],
  [true, '{a,}', ''],
  [true, '/{rate,[a-z][a-z][a-z]}*', '/rate'],
  [true, '{*.google.*,*.yandex.*}', 'www.yandex.com', '.'],
  [false, '{*.google.*,*.yandex.*}', 'google.com', '.'],
  [true, '{*.google.*,yandex.*}', 'www.google.com', '.'],
  [false, '{*.google.*,yandex.*}', 'google.com', '.'],
  [true, '{a*,b}c', 'abc', '.'],
  [true, '[a-z][!a-x]*cat*[h][!b]*eyes*', 'my cat has very bright eyes'],
  [false, '[a-z][!a-x]*cat*[h][!b]*eyes*', 'my dog has very bright eyes'],
  [true, 'google.com', 'google.com'],
  [false, 'google.com', 'gobwas.com'],
  [true, 'https://*.google.*', 'https://account.google.com'],
  [false, 'https://*.google.*', 'https://google.com'],
  [true, '{https://*.google.*,*yandex.*,*yahoo.*,*mail.ru}', 'http://yahoo.com'],
  [false, '{https://*.google.*,*yandex.*,*yahoo.*,*mail.ru}', 'http://google.com'],
  [true, '{https://*gobwas.com,http://exclude.gobwas.com}', 'https://safe.gobwas.com'],
  [false, '{https://*gobwas.com,http://exclude.gobwas.com}', 'http://safe.gobwas.com'],
  [true, '{https://*gobwas.com,http://exclude.gobwas.com}', 'http://exclude.gobwas.com'],
  [true, '{abc*[a-c]def,abc?[d-g]def,abc[zte]?def}', 'abczqdef'],
  [true, '{abc*def,abc?def,abc[zte]def}', 'abczdef'],
  [true, 'abc*', 'abcdef'],
  [false, 'abc*', 'af'],
  [true, '*def', 'abcdef'],
  [false, '*def', 'af'],
  [true, 'ab*ef', 'abcdef'],
  [false, 'ab*ef', 'af'],
  [true, '{a,ab,abc}', 'ab'],
  [false, '{a,ab,abc}', ''],
  [true, '{a,ab,abc,abcd}{b,bc,bcd,bcde}{c,cd,cde,cdef}', 'abcdbcdecdef'],
  [true, '{{a,b},c}', 'a'],
  [true, '{{a,b},c}', 'c'],
];

test('gobwas glob.Compile(...).Match: upstream TestPatternMatch cases', (t) => {
  for (const [want, pattern, text, seps] of patternMatch) {
    const re = compileGlob(pattern, seps ?? '');
    t.not(re, null, pattern);
    t.is(re?.test(text), want, `${pattern} ~ ${text} (separators ${JSON.stringify(seps ?? '')})`);
  }
});

test('gobwas glob: compiled patterns are anchored, cached per separators, and regex-safe', (t) => {
  const re = compileGlob('a.b');
  t.is(compileGlob('a.b'), re); // cached
  t.not(compileGlob('a.b', '.'), re); // separators are part of the key
  t.false(re!.test('axb')); // "." is literal text, not a regex wildcard
  t.false(re!.test('xa.b'));
  t.false(re!.test('a.bx'));
  t.true(compileGlob('(a|b)+$')!.test('(a|b)+$'));
  // Separators limit `*` and `?`, not `**` or classes.
  t.false(compileGlob('*', '/')!.test('a/b'));
  t.true(compileGlob('**', '/')!.test('a/b'));
  t.true(compileGlob('a[/]b', '/')!.test('a/b'));
});

test('gobwas glob: syntax errors compile to null', (t) => {
  for (const p of ['[abc', '[a-cx]', '[c-a]', '[]']) t.is(compileGlob(p), null, p);
});

/**
 * git pathspec port (generator/argocd/upstream/git-pathspec.ts): the
 * `pathmatch (via ls-files)` column of git's t/t3070-wildmatch.sh
 * (git/git@05947dc90473) — `git ls-files -z -- <pattern>` over a repo
 * holding only <text> — plus the literal-prefix, normalisation and error
 * rules of dir.c / path.c that ArgoCD's legacy globbing inherits.
 */
import test from 'ava';

import { gitLsFiles } from '../generator/argocd/upstream/git-pathspec.js';

// [ls-files pathmatch result ('1' listed, '0' not, 'E' git dies), text, pattern] — t3070-wildmatch.sh.
const t3070LsFiles: ['0' | '1' | 'E', string, string][] = [
  ['1', 'foo', 'foo'],
  ['0', 'foo', 'bar'],
  ['1', '', ''],
  ['1', 'foo', '???'],
  ['0', 'foo', '??'],
  ['1', 'foo', '*'],
  ['1', 'foo', 'f*'],
  ['0', 'foo', '*f'],
  ['1', 'foo', '*foo*'],
  ['1', 'foobar', '*ob*a*r*'],
  ['1', 'aaaaaaabababab', '*ab'],
  ['1', 'foo*', 'foo\\*'],
  ['0', 'foobar', 'foo\\*bar'],
  ['1', 'f\\oo', 'f\\\\oo'],
  ['1', 'ball', '*[al]?'],
  ['0', 'ten', '[ten]'],
  ['1', 'ten', '**[!te]'],
  ['0', 'ten', '**[!ten]'],
  ['1', 'ten', 't[a-g]n'],
  ['0', 'ten', 't[!a-g]n'],
  ['1', 'ton', 't[!a-g]n'],
  ['1', 'ton', 't[^a-g]n'],
  ['1', 'a]b', 'a[]]b'],
  ['1', 'a-b', 'a[]-]b'],
  ['1', 'a]b', 'a[]-]b'],
  ['0', 'aab', 'a[]-]b'],
  ['1', 'aab', 'a[]a-]b'],
  ['1', ']', ']'],
  ['1', 'foo/baz/bar', 'foo*bar'],
  ['1', 'foo/baz/bar', 'foo**bar'],
  ['1', 'foobazbar', 'foo**bar'],
  ['1', 'foo/baz/bar', 'foo/**/bar'],
  ['0', 'foo/baz/bar', 'foo/**/**/bar'],
  ['1', 'foo/b/a/z/bar', 'foo/**/bar'],
  ['1', 'foo/b/a/z/bar', 'foo/**/**/bar'],
  ['0', 'foo/bar', 'foo/**/bar'],
  ['0', 'foo/bar', 'foo/**/**/bar'],
  ['1', 'foo/bar', 'foo?bar'],
  ['1', 'foo/bar', 'foo[/]bar'],
  ['1', 'foo/bar', 'foo[^a-z]bar'],
  ['1', 'foo/bar', 'f[^eiu][^eiu][^eiu][^eiu][^eiu]r'],
  ['1', 'foo-bar', 'f[^eiu][^eiu][^eiu][^eiu][^eiu]r'],
  ['0', 'foo', '**/foo'],
  ['1', 'XXX/foo', '**/foo'],
  ['1', 'bar/baz/foo', '**/foo'],
  ['1', 'bar/baz/foo', '*/foo'],
  ['1', 'foo/bar/baz', '**/bar*'],
  ['1', 'deep/foo/bar/baz', '**/bar/*'],
  ['1', 'deep/foo/bar/baz/', '**/bar/*'],
  ['1', 'deep/foo/bar/baz/', '**/bar/**'],
  ['0', 'deep/foo/bar', '**/bar/*'],
  ['1', 'deep/foo/bar/', '**/bar/**'],
  ['1', 'foo/bar/baz', '**/bar**'],
  ['1', 'foo/bar/baz/x', '*/bar/**'],
  ['1', 'deep/foo/bar/baz/x', '*/bar/**'],
  ['1', 'deep/foo/bar/baz/x', '**/bar/*/*'],
  ['0', 'acrt', 'a[c-c]st'],
  ['1', 'acrt', 'a[c-c]rt'],
  ['0', ']', '[!]-]'],
  ['1', 'a', '[!]-]'],
  ['0', '', '\\'],
  ['1', '\\', '\\'],
  ['0', 'XXX/\\', '*/\\'],
  ['1', 'XXX/\\', '*/\\\\'],
  ['1', 'foo', 'foo'],
  ['1', '@foo', '@foo'],
  ['0', 'foo', '@foo'],
  ['1', '[ab]', '\\[ab]'],
  ['1', '[ab]', '[[]ab]'],
  ['1', '[ab]', '[[:]ab]'],
  ['0', '[ab]', '[[::]ab]'],
  ['1', '[ab]', '[[:digit]ab]'],
  ['1', '[ab]', '[\\[:]ab]'],
  ['1', '?a?b', '\\??\\?b'],
  ['1', 'abc', '\\a\\b\\c'],
  ['E', 'foo', ''],
  ['1', 'foo/bar/baz/to', '**/t[o]'],
  ['1', 'a1B', '[[:alpha:]][[:digit:]][[:upper:]]'],
  ['0', 'a', '[[:digit:][:upper:][:space:]]'],
  ['1', 'A', '[[:digit:][:upper:][:space:]]'],
  ['1', '1', '[[:digit:][:upper:][:space:]]'],
  ['0', '1', '[[:digit:][:upper:][:spaci:]]'],
  ['1', ' ', '[[:digit:][:upper:][:space:]]'],
  ['0', '.', '[[:digit:][:upper:][:space:]]'],
  ['1', '.', '[[:digit:][:punct:][:space:]]'],
  ['1', '5', '[[:xdigit:]]'],
  ['1', 'f', '[[:xdigit:]]'],
  ['1', 'D', '[[:xdigit:]]'],
  ['1', '_', '[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:][:upper:][:xdigit:]]'],
  ['1', '.', '[^[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:lower:][:space:][:upper:][:xdigit:]]'],
  ['1', '5', '[a-c[:digit:]x-z]'],
  ['1', 'b', '[a-c[:digit:]x-z]'],
  ['1', 'y', '[a-c[:digit:]x-z]'],
  ['0', 'q', '[a-c[:digit:]x-z]'],
  ['1', ']', '[\\\\-^]'],
  ['0', '[', '[\\\\-^]'],
  ['1', '-', '[\\-_]'],
  ['1', ']', '[\\]]'],
  ['0', '\\]', '[\\]]'],
  ['0', '\\', '[\\]]'],
  ['0', 'ab', 'a[]b'],
  ['1', 'a[]b', 'a[]b'],
  ['1', 'ab[', 'ab['],
  ['0', 'ab', '[!'],
  ['0', 'ab', '[-'],
  ['1', '-', '[-]'],
  ['0', '-', '[a-'],
  ['0', '-', '[!a-'],
  ['1', '-', '[--A]'],
  ['1', '5', '[--A]'],
  ['1', ' ', '[ --]'],
  ['1', '$', '[ --]'],
  ['1', '-', '[ --]'],
  ['0', '0', '[ --]'],
  ['1', '-', '[---]'],
  ['1', '-', '[------]'],
  ['0', 'j', '[a-e-n]'],
  ['1', '-', '[a-e-n]'],
  ['1', 'a', '[!------]'],
  ['0', '[', '[]-a]'],
  ['1', '^', '[]-a]'],
  ['0', '^', '[!]-a]'],
  ['1', '[', '[!]-a]'],
  ['1', '^', '[a^bc]'],
  ['1', '-b]', '[a-]b]'],
  ['0', '\\', '[\\]'],
  ['1', '\\', '[\\\\]'],
  ['0', '\\', '[!\\\\]'],
  ['1', 'G', '[A-\\\\]'],
  ['0', 'aaabbb', 'b*a'],
  ['0', 'aabcaa', '*ba*'],
  ['1', ',', '[,]'],
  ['1', ',', '[\\\\,]'],
  ['1', '\\', '[\\\\,]'],
  ['1', '-', '[,-.]'],
  ['0', '+', '[,-.]'],
  ['0', '-.]', '[,-.]'],
  ['1', '2', '[\\1-\\3]'],
  ['1', '3', '[\\1-\\3]'],
  ['0', '4', '[\\1-\\3]'],
  ['1', '\\', '[[-\\]]'],
  ['1', '[', '[[-\\]]'],
  ['1', ']', '[[-\\]]'],
  ['0', '-', '[[-\\]]'],
  ['1', '-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1', '-*-*-*-*-*-*-12-*-*-*-m-*-*-*'],
  ['0', '-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1', '-*-*-*-*-*-*-12-*-*-*-m-*-*-*'],
  ['0', '-adobe-courier-bold-o-normal--12-120-75-75-/-70-iso8859-1', '-*-*-*-*-*-*-12-*-*-*-m-*-*-*'],
  ['1', 'XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1', 'XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*'],
  ['0', 'XXX/adobe/courier/bold/o/normal//12/120/75/75/X/70/iso8859/1', 'XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*'],
  ['1', 'abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt', '**/*a*b*g*n*t'],
  ['0', 'abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz', '**/*a*b*g*n*t'],
  ['0', 'foo', '*/*/*'],
  ['0', 'foo/bar', '*/*/*'],
  ['1', 'foo/bba/arr', '*/*/*'],
  ['1', 'foo/bb/aa/rr', '*/*/*'],
  ['1', 'foo/bb/aa/rr', '**/**/**'],
  ['1', 'abcXdefXghi', '*X*i'],
  ['1', 'ab/cXd/efXg/hi', '*X*i'],
  ['1', 'ab/cXd/efXg/hi', '*/*X*/*/*i'],
  ['1', 'ab/cXd/efXg/hi', '**/*X*/**/*i'],
  ['0', 'foo', 'fo'],
  ['1', 'foo/bar', 'foo/bar'],
  ['1', 'foo/bar', 'foo/*'],
  ['1', 'foo/bba/arr', 'foo/*'],
  ['1', 'foo/bba/arr', 'foo/**'],
  ['1', 'foo/bba/arr', 'foo*'],
  ['1', 'foo/bba/arr', 'foo**'],
  ['1', 'foo/bba/arr', 'foo/*arr'],
  ['1', 'foo/bba/arr', 'foo/**arr'],
  ['0', 'foo/bba/arr', 'foo/*z'],
  ['0', 'foo/bba/arr', 'foo/**z'],
  ['1', 'foo/bar', 'foo?bar'],
  ['1', 'foo/bar', 'foo[/]bar'],
  ['1', 'foo/bar', 'foo[^a-z]bar'],
  ['1', 'ab/cXd/efXg/hi', '*Xg*i'],
  ['0', 'a', '[A-Z]'],
  ['1', 'A', '[A-Z]'],
  ['0', 'A', '[a-z]'],
  ['1', 'a', '[a-z]'],
  ['0', 'a', '[[:upper:]]'],
  ['1', 'A', '[[:upper:]]'],
  ['0', 'A', '[[:lower:]]'],
  ['1', 'a', '[[:lower:]]'],
  ['0', 'A', '[B-Za]'],
  ['1', 'a', '[B-Za]'],
  ['0', 'A', '[B-a]'],
  ['1', 'a', '[B-a]'],
  ['0', 'z', '[Z-y]'],
  ['1', 'Z', '[Z-y]'],
];

/** t3070 should_create_test_file: texts that cannot be a committed file are not run through ls-files. */
const creatable = (file: string): boolean => file !== '' && file !== '.' && !file.includes('//') && !file.endsWith('/');

test('git ls-files -- <pattern>: t3070 `pathmatch (via ls-files)` column', (t) => {
  let ran = 0;
  for (const [expect, text, pattern] of t3070LsFiles) {
    if (!creatable(text)) continue;
    ran++;
    const label = `ls-files ${JSON.stringify(pattern)} over ${JSON.stringify(text)}`;
    if (expect === 'E') t.throws(() => gitLsFiles([text], pattern), undefined, label);
    else t.deepEqual(gitLsFiles([text], pattern), expect === '1' ? [text] : [], label);
  }
  t.true(ran > 150);
});

test('git ls-files: a pathspec without wildcards is a path or a directory prefix', (t) => {
  const files = ['dir/sub/f', 'dir/g', 'dirx/h', 'di'];
  t.deepEqual(gitLsFiles(files, 'dir'), ['dir/g', 'dir/sub/f']);
  t.deepEqual(gitLsFiles(files, 'dir/'), ['dir/g', 'dir/sub/f']);
  t.deepEqual(gitLsFiles(files, 'di'), ['di']);
  t.deepEqual(gitLsFiles(files, '.'), ['di', 'dir/g', 'dir/sub/f', 'dirx/h']);
});

test('git ls-files: the literal prefix before the first wildcard must match byte for byte', (t) => {
  const files = ['a/x.yaml', 'a/b/x.yaml', 'ab/x.yaml', 'a-c/x.yaml'];
  // Output is in byte order: "-" (0x2d) sorts before "/" (0x2f).
  t.deepEqual(gitLsFiles(files, 'a*/x.yaml'), ['a-c/x.yaml', 'a/b/x.yaml', 'a/x.yaml', 'ab/x.yaml']);
  t.deepEqual(gitLsFiles(files, 'a/*.yaml'), ['a/b/x.yaml', 'a/x.yaml']);
});

test('git ls-files: the pathspec is normalised (path.c normalize_path_copy_len) first', (t) => {
  const files = ['a/x.yaml', 'x.yaml'];
  t.deepEqual(gitLsFiles(files, './a//x.yaml'), ['a/x.yaml']);
  t.deepEqual(gitLsFiles(files, 'a/../x.yaml'), ['x.yaml']);
  t.deepEqual(gitLsFiles(files, 'a/./'), ['a/x.yaml']);
});

test("git ls-files: git's fatal errors", (t) => {
  t.throws(() => gitLsFiles(['x'], ''), { message: /^fatal: empty string is not a valid pathspec/ });
  t.throws(() => gitLsFiles(['x'], '../x'), { message: "fatal: ../x: '../x' is outside repository" });
  t.throws(() => gitLsFiles(['x'], 'a/../../x'), { message: /is outside repository/ });
  t.throws(() => gitLsFiles(['x'], '/x'), { message: /is outside repository/ });
  t.throws(() => gitLsFiles(['x'], ':(glob)x'), { message: /pathspec magic is not supported/ });
});

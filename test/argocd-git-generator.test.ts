/**
 * Runs every case of test/fixtures/argocd-git-generator-cases.json (extracted
 * from ArgoCD's git_test.go / util/git/git_test.go) through the offline port,
 * plus focused tests for the fasttemplate renderer and SanitizeName.
 */
import { readFileSync } from 'node:fs';

import test, { type ExecutionContext } from 'ava';

import { renderFasttemplate, renderGoTemplate, renderTemplateObject, formatGoValue } from '../generator/argocd/fasttemplate.js';
import {
  directoriesGeneratorParams,
  doublestarMatch,
  filesGeneratorParams,
  goPathMatch,
  lsFiles,
  repoDirectories,
  sanitizeName,
  type GitPathPattern,
} from '../generator/argocd/git-generator.js';

type Params = Record<string, unknown>;

interface FilesCase {
  name: string;
  goTemplate: boolean;
  pathParamPrefix: string;
  patterns: GitPathPattern[];
  repoFiles: Record<string, string>;
  values: Record<string, string>;
  expected: Params[] | null;
  expectedError: string | null;
  newGlobbing: boolean | null;
  orderSignificant: boolean;
}

interface DirectoriesCase {
  name: string;
  goTemplate: boolean;
  pathParamPrefix: string;
  patterns: GitPathPattern[];
  repoDirs: string[];
  values: Record<string, string>;
  expected: Params[] | null;
  expectedError: string | null;
  orderSignificant: boolean;
}

interface GlobbingCase {
  name: string;
  pattern: string;
  newGlobbing: boolean;
  repoFiles: string[];
  expectedMatches: string[];
  orderSignificant: boolean;
}

interface Fixture {
  files: FilesCase[];
  directories: DirectoriesCase[];
  globbing: GlobbingCase[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/argocd-git-generator-cases.json', import.meta.url), 'utf8')) as Fixture;

/** JSON with sorted keys, to compare param maps as a multiset. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function assertParams(t: ExecutionContext, actual: unknown[], expected: unknown[], orderSignificant: boolean, label: string): void {
  if (orderSignificant) {
    t.deepEqual(actual, expected, label);
    return;
  }
  // assert.ElementsMatch: same elements, any order.
  const byKey = (a: unknown, b: unknown): number => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0);
  t.deepEqual([...actual].sort(byKey), [...expected].sort(byKey), label);
}

for (const c of fixture.files) {
  test(c.name, (t) => {
    // null = same result in both globbing modes: run both.
    const modes = c.newGlobbing === null ? [false, true] : [c.newGlobbing];
    for (const newGlobbing of modes) {
      const run = (): Params[] =>
        filesGeneratorParams({
          repoFiles: c.repoFiles,
          patterns: c.patterns,
          goTemplate: c.goTemplate,
          pathParamPrefix: c.pathParamPrefix,
          values: c.values,
          newGlobbing,
          repoURL: 'RepoURL',
        });
      const label = `newGlobbing=${String(newGlobbing)}`;
      if (c.expectedError !== null) {
        const err = t.throws(run, { instanceOf: Error }, label);
        t.is(err?.message, c.expectedError, label);
      } else {
        assertParams(t, run(), c.expected ?? [], c.orderSignificant, label);
      }
    }
  });
}

for (const c of fixture.directories) {
  test(c.name, (t) => {
    const run = (): Params[] =>
      directoriesGeneratorParams({
        repoDirs: c.repoDirs,
        patterns: c.patterns,
        goTemplate: c.goTemplate,
        pathParamPrefix: c.pathParamPrefix,
        values: c.values,
      });
    if (c.expectedError !== null) {
      t.throws(run, { instanceOf: Error });
    } else {
      assertParams(t, run(), c.expected ?? [], c.orderSignificant, c.name);
    }
  });
}

for (const c of fixture.globbing) {
  test(c.name, (t) => {
    assertParams(t, lsFiles(c.repoFiles, c.pattern, c.newGlobbing), c.expectedMatches, c.orderSignificant, c.pattern);
  });
}

// --- renderFasttemplate (cases from ArgoCD's TestRenderTemplateParams) ---------

test('fasttemplate: substitution, whitespace inside tags, multiple tags', (t) => {
  t.is(renderFasttemplate('{{one}}', { one: 'two' }), 'two');
  t.is(renderFasttemplate('{{ one }}', { one: 'two' }), 'two');
  t.is(renderFasttemplate('{{\tone\u0085}}', { one: 'two' }), 'two'); // Go TrimSpace includes NEL
  t.is(renderFasttemplate('{{one}}{{three}}', { one: 'two', three: 'four' }), 'twofour');
  t.is(renderFasttemplate('{{one}} {{three}}', { one: '"hello" world', three: 'four' }), '"hello" world four');
});

test('fasttemplate: unknown, empty and non-string tags are left exactly as written', (t) => {
  t.is(renderFasttemplate('{{ this-does-not-exist }}', {}), '{{ this-does-not-exist }}');
  t.is(renderFasttemplate('a {{  missing\t}} b {{x}}', { x: 'y' }), 'a {{  missing\t}} b y');
  t.is(renderFasttemplate('{{ }}', { ' ': 'two', '': 'three' }), '{{ }}');
  t.is(renderFasttemplate('{{ONE}}', { '{{one}}': 'two' }), '{{ONE}}');
  t.is(renderFasttemplate('{{n}}', { n: 3 }), '{{n}}');
  t.is(renderFasttemplate('{{one}}', { '{{one}}': '{{two}}' }), '{{one}}');
});

test('fasttemplate: strings that are not templated are returned untouched', (t) => {
  t.is(renderFasttemplate('}} {{', { one: 'two' }), '}} {{');
  // isTemplatedRegex needs "{{...}}" on one line: a tag spanning lines is not rendered.
  t.is(renderFasttemplate('{{ one\n}}', { one: 'two' }), '{{ one\n}}');
  // Substituted values are not re-rendered.
  t.is(renderFasttemplate('{{a}}', { a: '{{b}}', b: 'c' }), '{{b}}');
});

test('fasttemplate: unclosed start tag in a templated string is an error', (t) => {
  t.throws(() => renderFasttemplate('{{one}} {{', { one: 'two' }), { message: /^invalid template: Cannot find end tag/ });
});

test('renderTemplateObject: renders values and map keys, keeps non-strings, drops nulls', (t) => {
  const template = {
    metadata: { name: '{{path.basename}}', labels: { '{{key}}': '{{value}}' } },
    spec: { replicas: 2, enabled: true, skip: null, list: ['{{path}}', null] },
  };
  const rendered = renderTemplateObject(template, { 'path.basename': 'app', key: 'team', value: 'x"y', path: 'a/b' });
  t.deepEqual(rendered, {
    metadata: { name: 'app', labels: { team: 'x"y' } },
    spec: { replicas: 2, enabled: true, list: ['a/b', null] },
  });
  t.is(renderTemplateObject(template, {}), template);
});

test('renderGoTemplate: field chains, missing keys and options', (t) => {
  const data = { path: { basename: 'dir', segments: ['a', 'b'] }, n: 1234567, nil: null };
  t.is(renderGoTemplate('x-{{ .path.basename }}-{{index .path.segments 1}}', data), 'x-dir-b');
  t.is(renderGoTemplate('{{.missing}}|{{.missing.deeper}}|{{.nil}}', data), '<no value>|<no value>|<no value>');
  t.is(renderGoTemplate('{{ .path.segments }} {{.n}}', data), '[a b] 1.234567e+06');
  t.is(renderGoTemplate('a  {{- .path.basename -}}  b', data), 'adirb');
  t.throws(() => renderGoTemplate('{{.missing}}', data, ['missingkey=error']), { message: /map has no entry for key "missing"/ });
  t.throws(() => renderGoTemplate('{{ .path.basename | upper }}', data), { message: /unsupported Go template construct/ });
});

test('formatGoValue: fmt %v of decoded JSON values', (t) => {
  t.is(formatGoValue(123), '123');
  t.is(formatGoValue(1.5), '1.5');
  t.is(formatGoValue(123456), '123456');
  t.is(formatGoValue(1234567), '1.234567e+06');
  t.is(formatGoValue(0.0001), '0.0001');
  t.is(formatGoValue(0.00001), '1e-05');
  t.is(formatGoValue(1e21), '1e+21');
  t.is(formatGoValue(true), 'true');
  t.is(formatGoValue(null), '<nil>');
});

// --- SanitizeName ----------------------------------------------------------------

test('sanitizeName: lower-case, invalid chars to "-", trim "-" and ".", 253 max', (t) => {
  t.is(sanitizeName('app_3'), 'app-3');
  t.is(sanitizeName('file_name.yaml'), 'file-name.yaml');
  t.is(sanitizeName('My App!'), 'my-app');
  t.is(sanitizeName('--.Hello.World.--'), 'hello.world');
  t.is(sanitizeName('.'), '');
  t.is(sanitizeName('ünïcode'), 'n-code');
  t.is(sanitizeName('\u{1F600}x'), 'x'); // one "-" per code point, then trimmed
  t.is(sanitizeName('\u0130STANBUL'), 'istanbul'); // Go simple case mapping: İ -> i
  t.is(sanitizeName('a'.repeat(300)).length, 253);
  t.is(sanitizeName(`${'a'.repeat(252)}-b`), 'a'.repeat(252));
});

// --- Matchers and YAML details ---------------------------------------------------------

test('globbing: legacy git pathspec vs doublestar vs path.Match', (t) => {
  const files = ['a/x.yaml', 'a/b/x.yaml', 'x.yaml', 'a-c/x.yaml', 'dir/sub/f'];
  t.deepEqual(lsFiles(files, 'a/*.yaml', false), ['a/b/x.yaml', 'a/x.yaml']);
  t.deepEqual(lsFiles(files, 'a/*.yaml', true), ['a/x.yaml']);
  t.deepEqual(lsFiles(files, 'dir', false), ['dir/sub/f']); // literal directory prefix
  t.deepEqual(lsFiles(files, './a//x.yaml', false), ['a/x.yaml']);
  t.deepEqual(lsFiles(files, '{a,a-c}/x.yaml', true), ['a-c/x.yaml', 'a/x.yaml']);
  t.deepEqual(lsFiles(files, 'dir/*', true), ['dir/sub']); // directories match in new globbing
  t.throws(() => lsFiles(files, '../x', false));
  t.throws(() => lsFiles(files, 'a/[', true));
  t.true(doublestarMatch('a/**/x.yaml', 'a/x.yaml'));
  t.true(goPathMatch('p1/*', 'p1/app'));
  t.false(goPathMatch('*', 'p1/app'));
  t.deepEqual(repoDirectories(['a/b/f', 'a-c/f', '.hidden/f', 'z']), ['a', 'a/b', 'a-c']);
});

test('files generator: go-yaml v2 scalars, flattening and fmt %v', (t) => {
  const params = filesGeneratorParams({
    repoFiles: {
      'c/config.yaml': [
        'enabled: yes',
        'mode: 0755',
        'big: 1000000',
        'ratio: 1e3',
        'time: 12:30',
        'empty:',
        'list: [a, 1]',
        'nested: {}',
        'quoted: "on"',
        'base: &b {x: 1}',
        'merged: {<<: *b, y: 2}',
      ].join('\n'),
    },
    patterns: [{ path: 'c/config.yaml', exclude: false }],
    goTemplate: false,
    pathParamPrefix: '',
    values: {},
  });
  t.deepEqual(params, [
    {
      enabled: 'true',
      mode: '493',
      big: '1e+06',
      ratio: '1000',
      time: '12:30',
      empty: '<nil>',
      'list.0': 'a',
      'list.1': '1',
      quoted: 'on',
      'base.x': '1',
      'merged.x': '1',
      'merged.true': '2', // YAML 1.1: a bare `y` key is the boolean true
      path: 'c',
      'path.basename': 'c',
      'path.filename': 'config.yaml',
      'path.basenameNormalized': 'c',
      'path.filenameNormalized': 'config.yaml',
      'path[0]': 'c',
    },
  ]);
});

test('files generator: a file at the repo root has path "."', (t) => {
  const [params] = filesGeneratorParams({
    repoFiles: { 'config.json': '{"a": 1}' },
    patterns: [{ path: 'config.json', exclude: false }],
    goTemplate: false,
    pathParamPrefix: '',
    values: {},
  });
  t.deepEqual(params, {
    a: '1',
    path: '.',
    'path.basename': '.',
    'path.filename': 'config.json',
    'path.basenameNormalized': '',
    'path.filenameNormalized': 'config.json',
    'path[0]': '.',
  });
});

test('files generator: new globbing matching a directory fails like the repo server', (t) => {
  t.throws(
    () =>
      filesGeneratorParams({
        repoFiles: { 'a/b/c.yaml': '' },
        patterns: [{ path: 'a/*', exclude: false }],
        goTemplate: false,
        pathParamPrefix: '',
        values: {},
        newGlobbing: true,
      }),
    { message: /unable to read files.*read a\/b: is a directory/ },
  );
});

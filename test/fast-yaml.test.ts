import test from 'ava';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { fastYaml } from '../generator/render/fast-yaml.js';
import { toYaml } from '../generator/render/serialize.js';
import { renderShipped } from './helpers/render.js';

/* The options render/serialize.ts gives `yaml`: the fast path must write exactly these bytes. */
const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true } as const;

test('every shipped object takes the fast path and is byte-identical to yaml', async (t) => {
  const { objects } = await renderShipped();
  t.true(objects.length > 10);
  for (const { path, object } of objects) {
    const { apiVersion, kind, metadata, ...rest } = object;
    const ordered = { apiVersion, kind, metadata, ...rest };
    const fast = fastYaml(ordered);
    t.not(fast, undefined, `${path} fell back to yaml`);
    t.is(fast, stringify(ordered, OPTIONS), path);
    t.is(toYaml(object), fast ?? '', path);
  }
});

const tricky = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'true',
    'True',
    'FALSE',
    'null',
    'Null',
    '~',
    '1',
    '-1',
    '+1',
    '0o17',
    '0x1F',
    '1.5',
    '.5',
    '1e3',
    '-.inf',
    '.NaN',
    '---',
    '...',
    '--- a',
    '%x',
    '- a',
    '-',
    '?',
    '? a',
    'a: b',
    'a:',
    'a #b',
    'a#b',
    '#a',
    "it's",
    'say "hi"',
    `'"both"'`,
    'a\nb',
    'a\n',
    'a\n\n',
    'a\n ',
    ' a\nb',
    '\na',
    'a\n\nb\n',
    'a\n---\nb',
    'tab\there',
    'é',
    'a\u2028b',
    'a\x7fb',
    'a\x85b',
    'a\x00b',
    '1Gi',
    '250m',
    'v3.6.0-full',
  ),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'b',
      'e',
      'n',
      't',
      'x',
      '0',
      '1',
      '9',
      ' ',
      '\n',
      '\t',
      ':',
      '#',
      '-',
      '?',
      '"',
      "'",
      '{',
      '}',
      '[',
      ']',
      ',',
      '&',
      '*',
      '!',
      '|',
      '>',
      '%',
      '@',
      '`',
      '.',
      '~',
      '+',
      '\\',
      'é',
      '\u2028',
      '\x85',
      '\x01',
    ),
    maxLength: 12,
  }),
);
const scalar = fc.oneof(tricky, fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
}));

test('property: the fast path writes what yaml writes, or declines', (t) => {
  let fast = 0;
  fc.assert(
    fc.property(fc.dictionary(tricky, value, { minKeys: 1, maxKeys: 5 }), (doc) => {
      const out = fastYaml(doc);
      if (out === undefined) return true;
      fast++;
      return out === stringify(doc, OPTIONS);
    }),
    { numRuns: 3000 },
  );
  // About 10% take the fast path (random: 299 was seen once); half that still shows it is exercised.
  t.true(fast >= 150, `only ${fast} of 3000 documents took the fast path`);
});

/**
 * jeremywohl/flatten port (generator/argocd/upstream/flatten.ts): the DotStyle,
 * empty-prefix cases of flatten_test.go TestFlatten / TestFlattenString
 * (jeremywohl/flatten@5559117ca125), plus how empty containers and nulls
 * come out, which decides which parameters a git files generator emits.
 */
import test from 'ava';

import { flattenDot } from '../generator/argocd/upstream/flatten.js';

test('Flatten(DotStyle): upstream TestFlatten case', (t) => {
  const nested = JSON.parse(`{
    "foo": { "jim": "bean" },
    "fee": "bar",
    "n1": { "alist": ["a", "b", "c", { "d": "other", "e": "another" }] },
    "number": 1.4567,
    "bool": true
  }`) as Record<string, unknown>;
  t.deepEqual(Object.fromEntries(flattenDot(nested)), {
    'foo.jim': 'bean',
    fee: 'bar',
    'n1.alist.0': 'a',
    'n1.alist.1': 'b',
    'n1.alist.2': 'c',
    'n1.alist.3.d': 'other',
    'n1.alist.3.e': 'another',
    number: 1.4567,
    bool: true,
  });
});

test('Flatten(DotStyle): upstream TestFlattenString cases', (t) => {
  t.deepEqual(Object.fromEntries(flattenDot({ a: 'b' })), { a: 'b' });
  t.deepEqual(Object.fromEntries(flattenDot({ a: { b: { c: { d: 'e' } } }, number: 1.4567, bool: true })), { 'a.b.c.d': 'e', number: 1.4567, bool: true });
});

test('Flatten: empty maps and slices vanish, null leaves stay', (t) => {
  const flat = flattenDot({ empty: {}, none: [], nil: null, deep: { e: [], x: [null] } });
  t.deepEqual(
    [...flat.entries()],
    [
      ['nil', null],
      ['deep.x.0', null],
    ],
  );
});

/**
 * sigs.k8s.io/yaml Unmarshal port (generator/argocd/upstream/sigs-yaml-unmarshal.ts):
 * TestYAMLToJSON's goyaml.v2-backed cases in kubernetes-sigs/yaml yaml_test.go,
 * and the structural rows of go-yaml v2's decode_test.go (kubernetes-sigs/yaml
 * goyaml.v2/decode_test.go @53ce8bbaa29c): explicit tags, the non-specific
 * tag, aliases, merges, binary, only the first document.
 */
import test from 'ava';

import { isJsonObject, jsonKind, yamlToJson } from '../generator/argocd/upstream/sigs-yaml-unmarshal.js';

const json = (yaml: string): string => JSON.stringify(yamlToJson(yaml));

// [yaml, json] — yaml_test.go TestYAMLToJSON.
const yamlToJsonCases: [string, string][] = [
  ['t: a\n', '{"t":"a"}'],
  ['t: \n', '{"t":null}'],
  ['t: null\n', '{"t":null}'],
  ['True: a', '{"true":"a"}'],
  ['no: a', '{"false":"a"}'],
  ['1: a\n', '{"1":"a"}'],
  ['1.2: a', '{"1.2":"a"}'],
  ['1000000000000000000000000000000000000: a\n', '{"1e+36":"a"}'],
  ['1e+36: a\n', '{"1e+36":"a"}'],
  ['"1e+36": a\n', '{"1e+36":"a"}'],
  ['"1.2": a\n', '{"1.2":"a"}'],
  ['- t: a\n', '[{"t":"a"}]'],
  ['- t: a\n- t:\n    b: 1\n    c: 2\n', '[{"t":"a"},{"t":{"b":1,"c":2}}]'],
  ['[{t: a}, {t: {b: 1, c: 2}}]', '[{"t":"a"},{"t":{"b":1,"c":2}}]'],
  ['- t: \n', '[{"t":null}]'],
  ['- t: null\n', '[{"t":null}]'],
];

test('YAMLToJSON: upstream cases', (t) => {
  for (const [yaml, expected] of yamlToJsonCases) t.is(json(yaml), expected, JSON.stringify(yaml));
});

test('decode: tags, aliases and documents as go-yaml v2 decodes them', (t) => {
  t.is(json("v: !!float '1.1'"), '{"v":1.1}');
  t.is(json("v: !!null ''"), '{"v":null}');
  t.is(json("%TAG !y! tag:yaml.org,2002:\n---\nv: !y!int '1'"), '{"v":1}');
  t.is(json('v: ! test'), '{"v":"test"}'); // non-specific tag (go-yaml issue #75)
  t.is(json('v: "true"'), '{"v":"true"}'); // quoted: never resolved
  t.is(json('a: &x 1\nb: &y 2\nc: *x\nd: *y\n'), '{"a":1,"b":2,"c":1,"d":2}');
  t.is(
    json('First occurrence: &anchor Foo\nSecond occurrence: *anchor\nOverride anchor: &anchor Bar\nReuse anchor: *anchor\n'),
    '{"First occurrence":"Foo","Second occurrence":"Foo","Override anchor":"Bar","Reuse anchor":"Bar"}',
  );
  t.is(json('a: !!binary gIGC\n'), JSON.stringify({ a: new TextDecoder().decode(Uint8Array.from([0x80, 0x81, 0x82])) }));
  t.is(json('---\nhello\n...\n---\nworld'), '"hello"'); // only the first document counts
  t.is(json('a: 1\n---\nb: 2\n'), '{"a":1}');
  t.is(json(''), 'null');
});

test('decode: merge keys, later keys overwrite, earlier merge sources win', (t) => {
  t.is(json('base: &b {p: 1, q: 1}\nm: {<<: *b, q: 2}'), '{"base":{"p":1,"q":1},"m":{"p":1,"q":2}}');
  t.is(json('base: &b {y: 1}\nm: {<<: *b}'), '{"base":{"true":1},"m":{"true":1}}'); // YAML 1.1: the key `y` is true
  t.is(json('a: &a {x: 1}\nb: &b {x: 2, z: 2}\nm: {<<: [*a, *b]}'), '{"a":{"x":1},"b":{"x":2,"z":2},"m":{"x":1,"z":2}}');
  t.is(json('k: 1\nk: 2'), '{"k":2}');
});

test('decode: what sigs.k8s.io/yaml refuses', (t) => {
  t.throws(() => yamlToJson('v: .nan'), { message: 'error converting YAML to JSON: json: unsupported value: NaN' });
  t.throws(() => yamlToJson('~: a'), { message: /unsupported map key of type: %!s\(<nil>\)/ });
  t.throws(() => yamlToJson('18446744073709551615: a'), { message: /unsupported map key of type: uint64/ });
  t.throws(() => yamlToJson('a: [b'), { message: /^error converting YAML to JSON: yaml: / });
  t.throws(() => yamlToJson('v: !!int abc'), { message: /cannot decode !!str `abc` as a !!int/ });
});

test('jsonKind / isJsonObject: encoding/json type names', (t) => {
  t.is(jsonKind(null), 'null');
  t.is(jsonKind([]), 'array');
  t.is(jsonKind({}), 'object');
  t.is(jsonKind(1), 'number');
  t.is(jsonKind(true), 'bool');
  t.is(jsonKind('s'), 'string');
  t.true(isJsonObject({}));
  t.false(isJsonObject([]));
  t.false(isJsonObject(null));
});

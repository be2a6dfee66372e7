/**
 * go-yaml v2 scalar resolution port (generator/argocd/upstream/goyaml-v2-resolve.ts):
 * the scalar rows of unmarshalTests in go-yaml v2's decode_test.go that decode
 * into map[string]interface{} (as vendored in kubernetes-sigs/yaml
 * goyaml.v2/decode_test.go @53ce8bbaa29c, a copy of gopkg.in/yaml.v2 v2.4.0),
 * fed to resolve() as the plain scalar after "v: ".
 */
import test from 'ava';

import { resolveTagged, type YamlScalar } from '../generator/argocd/upstream/goyaml-v2-resolve.js';

const int = (v: bigint): YamlScalar => ({ kind: 'int', value: v });
const float = (v: number): YamlScalar => ({ kind: 'float', value: v });
const bool = (v: boolean): YamlScalar => ({ kind: 'bool', value: v });
const str = (v: string): YamlScalar => ({ kind: 'str', value: v });
const nul: YamlScalar = { kind: 'null' };

// [plain scalar, resolved tag, value] — decode_test.go unmarshalTests.
const plainScalars: [string, string, YamlScalar][] = [
  ['hi', '!!str', str('hi')],
  ['true', '!!bool', bool(true)],
  ['10', '!!int', int(10n)],
  ['0b10', '!!int', int(2n)],
  ['0xA', '!!int', int(10n)],
  ['4294967296', '!!int', int(4294967296n)],
  ['0.1', '!!float', float(0.1)],
  ['.1', '!!float', float(0.1)],
  ['.Inf', '!!float', float(Infinity)],
  ['-.Inf', '!!float', float(-Infinity)],
  ['-10', '!!int', int(-10n)],
  ['-.1', '!!float', float(-0.1)],
  // Floats from spec
  ['6.8523e+5', '!!float', float(6.8523e5)],
  ['685.230_15e+03', '!!float', float(685.23015e3)],
  ['685_230.15', '!!float', float(685230.15)],
  ['-.inf', '!!float', float(-Infinity)],
  // Bools from spec (YAML 1.1)
  ['y', '!!bool', bool(true)],
  ['NO', '!!bool', bool(false)],
  ['True', '!!bool', bool(true)],
  ['on', '!!bool', bool(true)],
  // Ints from spec
  ['685230', '!!int', int(685230n)],
  ['+685_230', '!!int', int(685230n)],
  ['02472256', '!!int', int(685230n)],
  ['0x_0A_74_AE', '!!int', int(685230n)],
  ['0b1010_0111_0100_1010_1110', '!!int', int(685230n)],
  ['-0b101010', '!!int', int(-42n)],
  ['-0b1000000000000000000000000000000000000000000000000000000000000000', '!!int', int(-9223372036854775808n)],
  // Nulls from spec
  ['', '!!null', nul],
  ['~', '!!null', nul],
  ['null', '!!null', nul],
  // bug 1243827, Base 60 floats are obsolete
  ['-b_c', '!!str', str('-b_c')],
  ['+b_c', '!!str', str('+b_c')],
  ['50cent_of_dollar', '!!str', str('50cent_of_dollar')],
  ['1:1', '!!str', str('1:1')],
  // "This *is* in fact a float number, per the spec."
  ['123456e1', '!!float', float(1234560)],
  ['123456E1', '!!float', float(1234560)],
  // Timestamps decoded into interface{} stay strings.
  ['2015-01-01', '!!timestamp', str('2015-01-01')],
  ['2015-02-24T18:19:39.12Z', '!!timestamp', str('2015-02-24T18:19:39.12Z')],
  ['2015-02-24 18:19:39', '!!timestamp', str('2015-02-24 18:19:39')],
];

test('resolve: plain scalars as go-yaml v2 types them', (t) => {
  for (const [input, tag, value] of plainScalars) t.deepEqual(resolveTagged('', input), [tag, value], JSON.stringify(input));
});

test('resolve: integers past int64 fall back to uint64, then to float, then to string', (t) => {
  // decode_test.go int64/uint64 rows: MaxInt64 + 1 is no int64 but is a uint64.
  t.deepEqual(resolveTagged('', '9223372036854775807'), ['!!int', int(9223372036854775807n)]);
  t.deepEqual(resolveTagged('', '9223372036854775808'), ['!!int', int(9223372036854775808n)]);
  t.deepEqual(resolveTagged('', '18446744073709551615'), ['!!int', int(18446744073709551615n)]);
  t.deepEqual(resolveTagged('', '18446744073709551616'), ['!!float', float(18446744073709551616)]);
  t.deepEqual(resolveTagged('', '0x1_0000_0000_0000_0000'), ['!!str', str('0x1_0000_0000_0000_0000')]);
});

test('resolve: explicit tags (decode_test.go "Explicit tags")', (t) => {
  t.deepEqual(resolveTagged('!!float', '1.1'), ['!!float', float(1.1)]);
  t.deepEqual(resolveTagged('!!float', '0'), ['!!float', float(0)]);
  t.deepEqual(resolveTagged('!!float', '-1'), ['!!float', float(-1)]);
  t.deepEqual(resolveTagged('!!null', ''), ['!!null', nul]);
  t.deepEqual(resolveTagged('!!int', '1'), ['!!int', int(1n)]);
  t.deepEqual(resolveTagged('!!str', '2015-01-01'), ['!!str', str('2015-01-01')]);
  t.deepEqual(resolveTagged('!!str', 'true'), ['!!str', str('true')]);
  t.deepEqual(resolveTagged('!!timestamp', '2015-01-01'), ['!!timestamp', str('2015-01-01')]);
  t.throws(() => resolveTagged('!!int', 'abc'), { message: 'yaml: cannot decode !!str `abc` as a !!int' });
  t.throws(() => resolveTagged('!!bool', '1'), { message: 'yaml: cannot decode !!int `1` as a !!bool' });
  // An unknown tag keeps the text, tagged as written.
  t.deepEqual(resolveTagged('!custom', '1'), ['!custom', str('1')]);
});

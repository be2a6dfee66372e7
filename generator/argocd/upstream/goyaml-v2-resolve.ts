/**
 * Port of go-yaml v2 scalar resolution, resolve.go (resolveTable,
 * resolveMap, resolve) with the strconv.ParseInt / ParseUint it calls.
 * argoproj/argo-cd 37ee0097cf851bc2dd7665fc081bbce61a7e836e reads git
 * generator files with sigs.k8s.io/yaml v1.6.0, which decodes with go-yaml
 * v2 (go.yaml.in/yaml/v2 v2.4.4 in argo-cd's go.mod, the continuation of
 * gopkg.in/yaml.v2 v2.4.0, whose resolve.go this follows).
 *
 * This is why a parameters file behaves like YAML 1.1 and not like the yaml
 * npm package's default: `yes`/`on`/`y` are booleans, `0755` is octal, `1_000`
 * is an int, and a timestamp-looking plain scalar stays a string.
 */

export const TAG_STR = '!!str';
export const TAG_BOOL = '!!bool';
export const TAG_INT = '!!int';
export const TAG_FLOAT = '!!float';
export const TAG_NULL = '!!null';
export const TAG_TIMESTAMP = '!!timestamp';
export const TAG_BINARY = '!!binary';
export const TAG_MERGE = '!!merge';
const LONG_TAG_PREFIX = 'tag:yaml.org,2002:';

/** A go-yaml v2 resolved scalar. */
export type YamlScalar =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string };

export const str = (value: string): YamlScalar => ({ kind: 'str', value });

// go-yaml v2 resolve.go resolveMap (YAML 1.1 booleans included).
const RESOLVE_MAP = new Map<string, [string, YamlScalar]>();
for (const [tag, value, words] of [
  [TAG_BOOL, { kind: 'bool', value: true }, 'y Y yes Yes YES true True TRUE on On ON'],
  [TAG_BOOL, { kind: 'bool', value: false }, 'n N no No NO false False FALSE off Off OFF'],
  [TAG_NULL, { kind: 'null' }, '~ null Null NULL'],
  [TAG_FLOAT, { kind: 'float', value: NaN }, '.nan .NaN .NAN'],
  [TAG_FLOAT, { kind: 'float', value: Infinity }, '.inf .Inf .INF +.inf +.Inf +.INF'],
  [TAG_FLOAT, { kind: 'float', value: -Infinity }, '-.inf -.Inf -.INF'],
] as const) {
  for (const word of words.split(' ')) RESOLVE_MAP.set(word, [tag, value]);
}
RESOLVE_MAP.set('', [TAG_NULL, { kind: 'null' }]);

/** go-yaml v2 resolveTable hint for the first byte. */
function resolveHint(s: string): string {
  if (s === '') return 'N';
  const c = s[0] ?? '';
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return '';
}

export const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseUint(s, 0, 64) without underscores; null on error. */
function parseGoUint(s0: string): bigint | null {
  let s = s0;
  if (s === '') return null;
  let base = 10;
  if (s[0] === '0') {
    const p = s[1]?.toLowerCase();
    if (s.length >= 3 && p === 'b') [base, s] = [2, s.slice(2)];
    else if (s.length >= 3 && p === 'o') [base, s] = [8, s.slice(2)];
    else if (s.length >= 3 && p === 'x') [base, s] = [16, s.slice(2)];
    else [base, s] = [8, s.slice(1)];
  }
  const digits = { 2: /^[01]*$/, 8: /^[0-7]*$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]*$/ }[base as 2 | 8 | 10 | 16];
  if (!digits.test(s)) return null;
  let n = 0n;
  for (const d of s) n = n * BigInt(base) + BigInt(parseInt(d, 16));
  return n > UINT64_MAX ? null : n;
}

/** strconv.ParseInt(s, 0, 64); null on error. */
function parseGoInt(s: string): bigint | null {
  const neg = s[0] === '-';
  const body = s[0] === '+' || s[0] === '-' ? s.slice(1) : s;
  const u = parseGoUint(body);
  if (u === null) return null;
  if (neg) return u > INT64_MAX + 1n ? null : -u;
  return u > INT64_MAX ? null : u;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Subset check of go-yaml's allowedTimestampFormats (only matters for !!timestamp). */
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]| )\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** go-yaml v2 resolve() for a resolvable tag: returns [resolved tag, value]. */
function resolveImplicit(tag: string, input: string): [string, YamlScalar] {
  const hint = resolveHint(input);
  if (hint === '' || tag === TAG_STR || tag === TAG_BINARY) return [TAG_STR, str(input)];
  const known = RESOLVE_MAP.get(input);
  if (known) return known;
  if (hint === '.') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(input) && Number.isFinite(Number(input))) {
      return [TAG_FLOAT, { kind: 'float', value: Number(input) }];
    }
  } else if (hint === 'D' || hint === 'S') {
    // A timestamp-looking plain scalar stays a string when decoded into `any`.
    if ((tag === '' || tag === TAG_TIMESTAMP) && TIMESTAMP.test(input)) return [TAG_TIMESTAMP, str(input)];
    const plain = input.replaceAll('_', '');
    const i = parseGoInt(plain);
    if (i !== null) return [TAG_INT, { kind: 'int', value: i }];
    const u = parseGoUint(plain);
    if (u !== null) return [TAG_INT, { kind: 'int', value: u }];
    if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) {
      return [TAG_FLOAT, { kind: 'float', value: Number(plain) }];
    }
  }
  return [TAG_STR, str(input)];
}

export function shortTag(tag: string): string {
  return tag.startsWith(LONG_TAG_PREFIX) ? `!!${tag.slice(LONG_TAG_PREFIX.length)}` : tag;
}

const RESOLVABLE_TAGS = new Set(['', TAG_STR, TAG_BOOL, TAG_INT, TAG_FLOAT, TAG_NULL, TAG_TIMESTAMP]);

/** go-yaml v2 resolve(tag, in) including the tag/value consistency check. */
export function resolveTagged(tag: string, input: string): [string, YamlScalar] {
  if (!RESOLVABLE_TAGS.has(tag)) return [tag, str(input)];
  const [rtag, out] = resolveImplicit(tag, input);
  if (tag === '' || tag === rtag || tag === TAG_STR) return [rtag, out];
  if (tag === TAG_FLOAT && rtag === TAG_INT && out.kind === 'int') {
    return [TAG_FLOAT, { kind: 'float', value: Number(out.value) }];
  }
  throw new Error(`yaml: cannot decode ${rtag} \`${input}\` as a ${tag}`);
}

/**
 * A fast path for `stringify(value, { lineWidth: 0, aliasDuplicateObjects:
 * false, indentSeq: true })` of the `yaml` package (2.x), for the plain JSON
 * data a Kubernetes object is: maps, sequences, strings, finite numbers,
 * booleans and null. It writes exactly the bytes `yaml` writes, without
 * building `yaml`'s document tree (which is most of a fleet render's time).
 *
 * Anything it is not certain to write identically (control characters,
 * strings that need escapes or a `|+`/indented block header, document
 * markers, huge keys, non-JSON values) makes it return undefined, and the
 * caller uses `yaml` itself. test/fast-yaml.test.ts holds it to `yaml`'s
 * output byte for byte.
 */

class Fallback extends Error {}
const FALLBACK = new Fallback();

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\uD800-\uDFFF]/;
/** `yaml`'s plainString refusals (stringifyString.js), verbatim. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** Core-schema tags other than str: a plain scalar matching one would not read back as a string. */
const NOT_STRING = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** Printable characters JSON.stringify writes as is: such a string double-quotes as `"…"`. */
const JSON_VERBATIM = /^[^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\uD800-\uDFFF]*$/;

/** A one-line string: plain when `yaml` would write it plain, else quoted as `yaml` quotes it. */
/** First characters a core-schema null, bool, int or float can start with: `~ + - . 0-9 n N t T f F`. */
const mayNotBeString = (c: number) =>
  c === 126 || c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57) || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70;

function flowString(s: string): string {
  if (DOCUMENT_MARKER.test(s)) throw FALLBACK; // yaml's choice then depends on the indentation
  if (s.length > 0 && !NOT_PLAIN.test(s) && !(mayNotBeString(s.charCodeAt(0)) && NOT_STRING.some((re) => re.test(s)))) return s;
  // yaml's quotedString: single quotes only when the value has " but no '.
  const hasDouble = s.includes('"');
  if (hasDouble && !s.includes("'")) return `'${s}'`;
  if (!hasDouble && JSON_VERBATIM.test(s)) return `"${s}"`;
  throw FALLBACK;
}

function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      if (CONTROL.test(v) || v.includes('\n')) return undefined;
      return flowString(v);
    case 'number':
      if (!Number.isFinite(v)) throw FALLBACK;
      return Object.is(v, -0) ? '-0' : JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      return v === null ? 'null' : undefined;
    default:
      throw FALLBACK;
  }
}

/**
 * A multi-line string as `yaml` writes it there: a literal block, `|` when it
 * ends in exactly one newline, `|-` when it ends in none. `indent` is the
 * block's content indentation.
 */
function blockString(s: string, indent: string): string {
  if (CONTROL.test(s)) throw FALLBACK;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  const isWs = (c: number) => c === 10 || c === 32 || c === 9;
  if (isWs(first)) throw FALLBACK; // indentation indicator or leading blank lines
  let chomp: string;
  let body: string;
  if (!isWs(last)) {
    chomp = '-';
    body = s;
  } else if (last === 10 && !isWs(s.charCodeAt(s.length - 2))) {
    chomp = '';
    body = s.slice(0, -1);
  } else {
    throw FALLBACK; // trailing blanks: `|+` or a quoted string
  }
  return `|${chomp}\n${indent}${body.replace(/\n+/g, (m) => m + indent)}`;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function key(k: string): string {
  if (k.length === 0 || k.length > 1000 || k.includes('\n') || CONTROL.test(k)) throw FALLBACK;
  return flowString(k);
}

/** The text after `key:` or `-` on the same line (with its leading space), and what follows on the next lines. */
function value(v: unknown, indent: string, out: string[], inSeq: boolean): void {
  const sc = scalar(v);
  if (sc !== undefined) {
    out.push(` ${sc}\n`);
    return;
  }
  if (typeof v === 'string') {
    // Multi-line: a literal block, its content one step deeper than the key (or the dash).
    out.push(` ${blockString(v, `${indent}  `)}\n`);
    return;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(' []\n');
      return;
    }
    if (inSeq) {
      out.push(' ');
      seq(v, `${indent}  `, out, true);
    } else {
      out.push('\n');
      seq(v, `${indent}  `, out, false);
    }
    return;
  }
  if (typeof v === 'object' && v !== null && isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) {
      out.push(' {}\n');
      return;
    }
    if (inSeq) {
      out.push(' ');
      map(v, keys, `${indent}  `, out, true);
    } else {
      out.push('\n');
      map(v, keys, `${indent}  `, out, false);
    }
    return;
  }
  throw FALLBACK;
}

/** A block mapping at `indent`; with `inline`, its first key continues the current line (after `- `). */
function map(o: Record<string, unknown>, keys: string[], indent: string, out: string[], inline: boolean): void {
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) throw FALLBACK;
    out.push(`${first && inline ? '' : indent}${key(k)}:`);
    value(v, indent, out, false);
    first = false;
  }
}

/** A block sequence at `indent` (indentSeq: true); with `inline`, its first item continues the current line. */
function seq(a: unknown[], indent: string, out: string[], inline: boolean): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === undefined) throw FALLBACK;
    out.push(`${i === 0 && inline ? '' : indent}-`);
    value(v, indent, out, true);
  }
}

/** The document `yaml` would write for this mapping, or undefined where only `yaml` knows. */
export function fastYaml(doc: Record<string, unknown>): string | undefined {
  try {
    const keys = Object.keys(doc);
    if (keys.length === 0) return undefined;
    const out: string[] = [];
    map(doc, keys, '', out, false);
    return out.join('');
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    throw e;
  }
}

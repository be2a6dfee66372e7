/**
 * Offline port of ArgoCD's ApplicationSet template renderer
 * (argoproj/argo-cd applicationset/utils/utils.go, `Render.Replace` and
 * `Render.deeplyReplace`, as of 37ee0097cf851bc2dd7665fc081bbce61a7e836e).
 *
 * - `renderFasttemplate` is the `useGoTemplate == false` branch of Replace
 *   (valyala/fasttemplate v1.2.2 with ArgoCD's tag function).
 * - `renderTemplateObject` is RenderTemplateParams' reflection walk, for a plain
 *   JSON-like object (an Application template) instead of a Go struct.
 * - `renderGoTemplate` is a deliberately small subset of Go text/template, used
 *   only for the generator `values` under goTemplate (field chains, `$`,
 *   literals and `index`). Anything else throws instead of guessing.
 * - `formatGoValue` reproduces fmt's `%v` for decoded-JSON values.
 */

/** Parameter map as ArgoCD passes it to Replace (`map[string]any`). */
export type TemplateParams = Readonly<Record<string, unknown>>;

// utils.go: `var isTemplatedRegex = regexp.MustCompile(".*{{.*}}.*")`.
// Go's `.` excludes only '\n' (JS's also excludes \r, U+2028, U+2029), so a
// tag split across lines is NOT templated at all: the string is returned as-is.
const IS_TEMPLATED = /\{\{[^\n]*\}\}/;

const START_TAG = '{{';
const END_TAG = '}}';

// Go's unicode.IsSpace set (strings.TrimSpace). Differs from JS trim():
// Go trims U+0085 but not U+FEFF.
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const GO_TRIM_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

/** strings.TrimSpace */
export function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM_SPACE, '');
}

/** Go `%q`-ish quoting, close enough for error messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

interface ParsedFasttemplate {
  readonly texts: string[];
  readonly tags: string[];
}

/**
 * fasttemplate `Template.Reset`: split on the first "{{" and the first "}}"
 * after it. A tag can therefore contain "{{" (e.g. "{{{{a}}" has tag "{{a").
 * An unclosed start tag is an error (Replace wraps it as "invalid template").
 */
function parseFasttemplate(template: string): ParsedFasttemplate {
  const texts: string[] = [];
  const tags: string[] = [];
  let s = template;
  for (;;) {
    const n = s.indexOf(START_TAG);
    if (n < 0) {
      texts.push(s);
      return { texts, tags };
    }
    texts.push(s.slice(0, n));
    s = s.slice(n + START_TAG.length);
    const m = s.indexOf(END_TAG);
    if (m < 0) {
      throw new Error(`invalid template: Cannot find end tag=${goQuote(END_TAG)} in the template=${goQuote(template)} starting from ${goQuote(s)}`);
    }
    tags.push(s.slice(0, m));
    s = s.slice(m + END_TAG.length);
  }
}

/**
 * ArgoCD's TagFunc: the whitespace-trimmed tag is looked up; only an existing
 * key whose value is a string is substituted. Anything else (unknown key,
 * empty tag, non-string value) is written back exactly as it was written,
 * i.e. "{{" + untrimmed tag + "}}".
 */
function renderTag(tag: string, params: TemplateParams): string {
  const trimmed = goTrimSpace(tag);
  if (trimmed !== '' && Object.prototype.hasOwnProperty.call(params, trimmed)) {
    const value = params[trimmed];
    if (typeof value === 'string') return value;
  }
  return `${START_TAG}${tag}${END_TAG}`;
}

/**
 * Port of `Render.Replace(tmpl, replaceMap, false, nil)` (fasttemplate branch).
 * Substituted values are inserted verbatim: ArgoCD (v2.5+) templates each Go
 * string field separately via reflection, so there is no JSON escaping.
 * Throws `invalid template: ...` for an unclosed "{{" once the string looks
 * templated (has "{{...}}" on one line).
 */
export function renderFasttemplate(template: string, params: TemplateParams): string {
  if (!IS_TEMPLATED.test(template)) return template;
  const { texts, tags } = parseFasttemplate(template);
  let out = texts[0] ?? '';
  tags.forEach((tag, i) => {
    out += renderTag(tag, params) + (texts[i + 1] ?? '');
  });
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Assign an own enumerable property even for "__proto__". */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Port of `Render.RenderTemplateParams` / `deeplyReplace` (fasttemplate
 * branch) over a JSON-like value:
 * - every string is passed through Replace;
 * - map keys are templated too ("Keys can be templated as well as values");
 *   struct field names are not, but they never contain "{{...}}", so
 *   templating every object key is equivalent for an Application;
 * - object entries whose value is null/undefined are dropped (Go skips nil map
 *   values; nil struct pointers are omitted on serialisation); null array
 *   elements stay null;
 * - numbers/booleans are copied.
 * With an empty params map the input is returned untouched (Go returns tmpl).
 * Note: RenderTemplateParams also adds the `resources-finalizer.argocd.argoproj.io`
 * finalizer; that is Application post-processing and is NOT done here.
 */
export function renderTemplateObject<T>(obj: T, params: TemplateParams): T {
  if (Object.keys(params).length === 0) return obj;
  return deeplyReplace(obj, params) as T;
}

function deeplyReplace(value: unknown, params: TemplateParams): unknown {
  if (typeof value === 'string') return renderFasttemplate(value, params);
  if (Array.isArray(value)) {
    return value.map((item: unknown) => (item === null || item === undefined ? null : deeplyReplace(item, params)));
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null || item === undefined) continue;
      setOwn(out, renderFasttemplate(key, params), deeplyReplace(item, params));
    }
    return out;
  }
  return value;
}

// ---------------------------------------------------------------------------
// fmt %v for decoded JSON values (float64, string, bool, nil, []any, map)
// ---------------------------------------------------------------------------

/** Code-point (= UTF-8 byte) order, i.e. Go's string comparison. */
export function compareGoStrings(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done ? (cb.done ? 0 : -1) : 1;
    const da = ca.value.codePointAt(0) ?? 0;
    const db = cb.value.codePointAt(0) ?? 0;
    if (da !== db) return da < db ? -1 : 1;
  }
}

/**
 * Format shortest decimal digits like strconv `%g` with precision -1:
 * exponent form when exp < -4 || exp >= 6 (so 1234567 -> "1.234567e+06").
 */
function formatShortestDigits(negative: boolean, digits: string, exp10: number): string {
  const sign = negative ? '-' : '';
  const nd = digits.length;
  const exp = exp10; // exponent of the first digit (digs.dp - 1)
  if (exp < -4 || exp >= 6) {
    const mantissa = nd > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const dp = exp + 1; // digits before the decimal point
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= nd) return `${sign}${digits}${'0'.repeat(dp - nd)}`;
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

function splitExponential(s: string): { digits: string; exp: number } {
  const [mant = '0', e = '0'] = s.split('e');
  return { digits: mant.replace('.', '').replace(/0+$/, '') || '0', exp: Number(e) };
}

/** strconv.FormatFloat(f, 'g', -1, 64) — what fmt `%v` prints for float64. */
export function formatGoFloat64(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const negative = f < 0 || Object.is(f, -0);
  if (f === 0) return negative ? '-0' : '0';
  // toExponential() without argument yields the shortest round-trip digits.
  const { digits, exp } = splitExponential(Math.abs(f).toExponential());
  return formatShortestDigits(negative, digits, exp);
}

/** strconv.FormatFloat(f, 'g', -1, 32): used by sigs.k8s.io/yaml for float map keys. */
export function formatGoFloat32(f: number): string {
  const x = Math.fround(f);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const negative = x < 0 || Object.is(x, -0);
  if (x === 0) return negative ? '-0' : '0';
  const abs = Math.abs(x);
  for (let p = 1; p <= 17; p++) {
    const candidate = abs.toExponential(p - 1);
    if (Math.fround(Number(candidate)) === abs) {
      const { digits, exp } = splitExponential(candidate);
      return formatShortestDigits(negative, digits, exp);
    }
  }
  return formatGoFloat64(x);
}

/** fmt `%v` of a value decoded by encoding/json into `any`. */
export function formatGoValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatGoFloat64(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(formatGoValue).join(' ')}]`;
  if (isPlainObject(v)) {
    // fmt prints maps with keys sorted (internal/fmtsort).
    const keys = Object.keys(v).sort(compareGoStrings);
    return `map[${keys.map((k) => `${k}:${formatGoValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

// ---------------------------------------------------------------------------
// Render.Replace, goTemplate branch: a small text/template subset
// ---------------------------------------------------------------------------

type MissingKey = 'invalid' | 'zero' | 'error';

/** text/template `Option("missingkey=...")`; unknown options panic in Go. */
function parseGoTemplateOptions(options: readonly string[]): MissingKey {
  let missingKey: MissingKey = 'invalid';
  for (const option of options) {
    const match = /^missingkey=(default|invalid|zero|error)$/.exec(option);
    if (!match) throw new Error(`unrecognized option: ${option}`);
    const mode = match[1];
    missingKey = mode === 'zero' ? 'zero' : mode === 'error' ? 'error' : 'invalid';
  }
  return missingKey;
}

/** reflect "invalid value": a missing map key under missingkey=default. */
const NO_VALUE: unique symbol = Symbol('no value');
type TemplateValue = unknown;

class UnsupportedTemplate extends Error {}

interface ActionToken {
  readonly kind: 'field' | 'var' | 'string' | 'number' | 'ident';
  readonly text: string;
}

const SPACE_CHARS = ' \t\r\n';

function isTemplateSpace(c: string | undefined): boolean {
  return c !== undefined && c !== '' && SPACE_CHARS.includes(c);
}

function trimRightSpace(s: string): string {
  return s.replace(/[ \t\r\n]+$/, '');
}

function trimLeftSpace(s: string): string {
  return s.replace(/^[ \t\r\n]+/, '');
}

/** Find the end of an action starting at `from`, skipping quoted strings. */
function findActionEnd(tmpl: string, from: number): number {
  let i = from;
  while (i < tmpl.length) {
    const c = tmpl[i];
    if (c === '"' || c === '`' || c === "'") {
      const close = c === '`' ? tmpl.indexOf('`', i + 1) : findQuoteEnd(tmpl, i + 1, c);
      if (close < 0) return -1;
      i = close + 1;
      continue;
    }
    if (tmpl.startsWith(END_TAG, i)) return i;
    i++;
  }
  return -1;
}

function findQuoteEnd(s: string, from: number, quote: string): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === quote) return i;
    else if (s[i] === '\n') return -1;
  }
  return -1;
}

function tokenizeAction(body: string): ActionToken[] {
  const tokens: ActionToken[] = [];
  const re = /\s*(?:("(?:[^"\\\n]|\\.)*")|(`[^`]*`)|(\$[\w.]*|\.[\p{L}\p{N}_.]*)|(-?\d+)|([\p{L}_][\p{L}\p{N}_]*)|(\S+))/uy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < body.length && (m = re.exec(body)) !== null) {
    if (m[1] !== undefined) tokens.push({ kind: 'string', text: JSON.parse(m[1]) as string });
    else if (m[2] !== undefined) tokens.push({ kind: 'string', text: m[2].slice(1, -1) });
    else if (m[3] !== undefined) tokens.push({ kind: m[3].startsWith('$') ? 'var' : 'field', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'number', text: m[4] });
    else if (m[5] !== undefined) tokens.push({ kind: 'ident', text: m[5] });
    else if (m[6] !== undefined) throw new UnsupportedTemplate(m[6]);
    if (/^\s*$/.test(body.slice(re.lastIndex))) break;
  }
  return tokens;
}

/** text/template `evalField` on JSON-like data (maps are map[string]any). */
function evalField(receiver: TemplateValue, name: string, missingKey: MissingKey): TemplateValue {
  if (receiver === NO_VALUE) {
    if (missingKey === 'error') throw new Error(`nil data; no entry for key ${goQuote(name)}`);
    return NO_VALUE;
  }
  if (receiver === null || receiver === undefined) {
    throw new Error(`nil pointer evaluating interface {}.${name}`);
  }
  if (isPlainObject(receiver)) {
    if (Object.prototype.hasOwnProperty.call(receiver, name)) return receiver[name];
    if (missingKey === 'error') throw new Error(`map has no entry for key ${goQuote(name)}`);
    return missingKey === 'zero' ? null : NO_VALUE;
  }
  throw new Error(`can't evaluate field ${name} in type interface {}`);
}

function evalFieldChain(token: ActionToken, dot: TemplateValue, missingKey: MissingKey): TemplateValue {
  const text = token.kind === 'var' ? token.text.slice(1) : token.text;
  if (token.kind === 'var' && text !== '' && !text.startsWith('.')) throw new UnsupportedTemplate(token.text);
  const names = text.split('.').slice(1);
  if (names.length === 1 && names[0] === '') return dot; // "." or "$."
  let value = dot;
  for (const name of names) {
    if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) throw new UnsupportedTemplate(token.text);
    value = evalField(value, name, missingKey);
  }
  return value;
}

function evalArg(token: ActionToken, dot: TemplateValue, missingKey: MissingKey): TemplateValue {
  switch (token.kind) {
    case 'field':
    case 'var':
      return evalFieldChain(token, dot, missingKey);
    case 'string':
      return token.text;
    case 'number':
      return Number(token.text);
    default:
      throw new UnsupportedTemplate(token.text);
  }
}

/** text/template builtin `index` for slices (int keys) and maps (string keys). */
function evalIndex(item: TemplateValue, keys: TemplateValue[]): TemplateValue {
  let value = item;
  for (const key of keys) {
    if (value === NO_VALUE || value === null || value === undefined) {
      throw new Error('error calling index: index of untyped nil');
    }
    if (Array.isArray(value)) {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new Error('error calling index: cannot index slice/array with non-integer');
      if (key < 0 || key >= value.length) throw new Error(`error calling index: index out of range: ${key}`);
      value = value[key];
    } else if (isPlainObject(value)) {
      if (typeof key !== 'string') throw new Error('error calling index: value has type int; should be string');
      value = Object.prototype.hasOwnProperty.call(value, key) ? value[key] : null;
    } else {
      throw new Error("error calling index: can't index item of type interface {}");
    }
  }
  return value;
}

function evalAction(body: string, data: TemplateValue, missingKey: MissingKey): string {
  const tokens = tokenizeAction(body);
  const [head, ...rest] = tokens;
  if (!head) throw new UnsupportedTemplate(body);
  let value: TemplateValue;
  if (head.kind === 'ident') {
    if (head.text !== 'index' || rest.length < 1) throw new UnsupportedTemplate(body);
    const [item, ...keys] = rest.map((t) => evalArg(t, data, missingKey));
    value = evalIndex(item, keys);
  } else {
    if (rest.length > 0) throw new UnsupportedTemplate(body);
    value = evalArg(head, data, missingKey);
  }
  // evalPipeline digs into interface{}; an invalid or nil value prints "<no value>".
  if (value === NO_VALUE || value === null || value === undefined) return '<no value>';
  return formatGoValue(value);
}

/**
 * Render a Go text/template (as ArgoCD's Replace does with useGoTemplate=true)
 * for the supported subset: `{{ .a.b }}`, `{{ . }}`, `{{ $.a }}`, literals,
 * `{{ index .a.b 0 }}`, `{{/* comments *\/}}` and `{{-`/`-}}` trim markers.
 * Sprig functions, pipes and control structures throw an "unsupported" error.
 * Error messages follow text/template's wording without line/column.
 */
export function renderGoTemplate(tmpl: string, data: TemplateParams, options: readonly string[] = []): string {
  const missingKey = parseGoTemplateOptions(options);
  let out = '';
  let pos = 0;
  let trimNext = false;
  for (;;) {
    const start = tmpl.indexOf(START_TAG, pos);
    let text = tmpl.slice(pos, start < 0 ? undefined : start);
    if (trimNext) text = trimLeftSpace(text);
    if (start < 0) return out + text;
    let bodyStart = start + START_TAG.length;
    if (tmpl[bodyStart] === '-' && isTemplateSpace(tmpl[bodyStart + 1])) {
      text = trimRightSpace(text);
      bodyStart += 2;
    }
    out += text;
    const end = findActionEnd(tmpl, bodyStart);
    if (end < 0) throw new Error(`failed to parse template ${tmpl}: template: base:1: unclosed action`);
    let bodyEnd = end;
    trimNext = false;
    if (tmpl[end - 1] === '-' && isTemplateSpace(tmpl[end - 2]) && end - 2 >= bodyStart) {
      trimNext = true;
      bodyEnd = end - 2;
    }
    const body = tmpl.slice(bodyStart, bodyEnd).trim();
    pos = end + END_TAG.length;
    if (body.startsWith('/*') && body.endsWith('*/')) continue;
    try {
      out += evalAction(body, data, missingKey);
    } catch (err) {
      if (err instanceof UnsupportedTemplate) {
        throw new Error(`failed to parse template ${tmpl}: unsupported Go template construct {{${body}}} (this offline port supports field chains, $, literals and index only)`);
      }
      throw new Error(`failed to execute go template ${tmpl}: template: base: executing "base" at <${body}>: ${(err as Error).message}`);
    }
  }
}

/**
 * Port of `Render.Replace(tmpl, replaceMap, useGoTemplate, goTemplateOptions)`.
 * Error messages carry Replace's own prefixes ("invalid template: ...",
 * "failed to parse template ...", "failed to execute go template ...").
 */
export function renderReplace(tmpl: string, params: TemplateParams, useGoTemplate: boolean, goTemplateOptions: readonly string[] = []): string {
  return useGoTemplate ? renderGoTemplate(tmpl, params, goTemplateOptions) : renderFasttemplate(tmpl, params);
}

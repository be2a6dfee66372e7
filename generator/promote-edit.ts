/**
 * The edit `promote` makes to the target environment file, as text splices:
 * only the promoted keys change, every other byte stays as it was (line
 * endings, blank lines, comments, flow mappings, quoting, key order). A
 * re-serialised document would be a review of the whole file, not of the
 * promotion, and turns CRLF files into LF ones.
 */
import { isMap, isScalar, parseDocument, stringify, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { ImageFields } from './environment/types.js';

export interface ImageSetting {
  /** Dotted path of the image mapping, e.g. `mlflow.image`. */
  field: string;
  value: ImageFields;
}

const IMAGE_KEYS = ['repository', 'tag', 'digest'] as const;

interface Splice {
  start: number;
  end: number;
  text: string;
}

/** A value to write: a scalar, or a mapping of them (in the order given). */
type Value = string | { [key: string]: Value };

/**
 * Edits the target file: each promoted image mapping gets exactly the keys
 * of the source's image. A key that exists is replaced at its byte range
 * (its quoting kept); a missing one is inserted at the end of its mapping,
 * or with the mappings above it when the target inherits the whole setting
 * from defaults.yaml; a key the source does not have is removed with its
 * line. Anything this cannot place exactly (aliases, an empty document, a
 * setting that is not a mapping) falls back to the yaml Document API.
 */
export function applyToYaml(text: string, settings: ImageSetting[]): string {
  const splices = planSplices(text, settings);
  if (splices === undefined) return reserialised(text, settings);
  let out = text;
  for (const sp of splices.sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, sp.start) + sp.text + out.slice(sp.end);
  return out;
}

function planSplices(text: string, settings: ImageSetting[]): Splice[] | undefined {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0 || !isMap(doc.contents) || !doc.contents.range) return undefined;
  const root = doc.contents;
  const ctx = { text, eol: text.includes('\r\n') ? '\r\n' : '\n', unit: indentUnit(text) };
  const splices: Splice[] = [];
  for (const s of settings) {
    const want: Record<string, string> = {};
    for (const k of IMAGE_KEYS) if (s.value[k] !== undefined) want[k] = s.value[k]!;
    const path = s.field.split('.');
    // Walk down as far as the file has the path; what is missing below is inserted as a whole.
    let map: YAMLMap = root;
    let depth = 0;
    for (; depth < path.length; depth++) {
      const pair = pairOf(map, path[depth]!);
      if (!pair) break;
      if (!isMap(pair.value) || !pair.value.range) return undefined;
      map = pair.value;
    }
    if (depth < path.length) {
      let value: Value = want;
      for (let i = path.length - 1; i > depth; i--) value = { [path[i]!]: value };
      const insert = insertion(ctx, map, [[path[depth]!, value]]);
      if (!insert) return undefined;
      splices.push(insert);
      continue;
    }
    const missing: [string, Value][] = IMAGE_KEYS.filter((k) => want[k] !== undefined && !pairOf(map, k)).map((k) => [k, want[k]!]);
    for (const key of IMAGE_KEYS) {
      const pair = pairOf(map, key);
      const wanted = want[key];
      if (wanted === undefined) {
        if (pair) {
          const cut = removal(ctx, map, pair, missing.length > 0);
          if (!cut) return undefined;
          splices.push(cut);
        }
      } else if (!pair) continue;
      else if (isScalar(pair.value) && pair.value.range && !String(pair.value.type).startsWith('BLOCK')) {
        if (pair.value.value !== wanted) splices.push({ start: pair.value.range[0], end: pair.value.range[1], text: scalarText(wanted, pair.value.type) });
      } else return undefined;
    }
    if (missing.length > 0) {
      const insert = insertion(ctx, map, missing);
      if (!insert) return undefined;
      splices.push(insert);
    }
  }
  // Two edits touching the same bytes cannot both be applied as written.
  const sorted = [...splices].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) return undefined;
  return splices;
}

function pairOf(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  return (map.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && p.key.value === key);
}

interface Ctx {
  text: string;
  eol: string;
  unit: number;
}

/** The new pairs added at the end of `map`, in its own style (block or flow). */
function insertion(ctx: Ctx, map: YAMLMap, pairs: [string, Value][]): Splice | undefined {
  const items = map.items as Pair<Node, Node | null>[];
  if (map.flow) {
    // New nested mappings follow the file's spacing: `{ a: 1 }` or `{a: 1}`.
    const spaced = ctx.text[map.range![0] + 1] === ' ' || items.length === 0;
    const rendered = pairs.map(([k, v]) => `${k}: ${flowText(v, spaced)}`).join(', ');
    const last = items[items.length - 1];
    if (!last) {
      const open = map.range![0];
      if (ctx.text[open] !== '{') return undefined;
      return { start: open + 1, end: open + 1, text: ` ${rendered} ` };
    }
    const end = (last.value ?? last.key).range?.[1];
    return end === undefined ? undefined : { start: end, end, text: `, ${rendered}` };
  }
  const first = items[0];
  if (!first || !first.key.range) return undefined;
  const indent = column(ctx.text, first.key.range[0]);
  if (indent === undefined) return undefined; // e.g. `- key:` items: not a mapping of its own lines
  const lines = pairs.flatMap(([k, v]) => blockLines(k, v, indent, ctx.unit));
  let at = map.range![1];
  let lead = '';
  if (at > 0 && ctx.text[at - 1] !== '\n') {
    const nl = ctx.text.indexOf('\n', at);
    if (nl >= 0) at = nl + 1;
    else {
      at = ctx.text.length;
      lead = ctx.eol; // the file's last line has no line break: give it one before adding lines
    }
  }
  return { start: at, end: at, text: lead + lines.map((l) => l + ctx.eol).join('') };
}

/**
 * A pair taken out of its mapping: its whole lines in a block mapping, the
 * item and one comma in a flow one. `refilled`: keys are inserted into the
 * same mapping, so it may lose its only pair.
 */
function removal(ctx: Ctx, map: YAMLMap, pair: Pair<Node, Node | null>, refilled: boolean): Splice | undefined {
  const items = map.items as Pair<Node, Node | null>[];
  const i = items.indexOf(pair);
  const keyStart = pair.key.range?.[0];
  const valueEnd = (pair.value ?? pair.key).range;
  if (keyStart === undefined || !valueEnd) return undefined;
  if (map.flow) {
    const next = items[i + 1]?.key.range?.[0];
    if (next !== undefined) return { start: keyStart, end: next, text: '' };
    const prev = items[i - 1];
    const prevEnd = prev ? (prev.value ?? prev.key).range?.[1] : undefined;
    return prevEnd !== undefined ? { start: prevEnd, end: valueEnd[1], text: '' } : { start: keyStart, end: valueEnd[1], text: '' };
  }
  if (items.length === 1 && !refilled) return undefined; // the mapping would be left empty
  if (column(ctx.text, keyStart) === undefined) return undefined;
  const start = lineStart(ctx.text, keyStart);
  let end = valueEnd[2];
  if (end > 0 && ctx.text[end - 1] !== '\n') {
    const nl = ctx.text.indexOf('\n', end);
    end = nl >= 0 ? nl + 1 : ctx.text.length;
  }
  return { start, end, text: '' };
}

function blockLines(key: string, value: Value, indent: number, unit: number): string[] {
  const pad = ' '.repeat(indent);
  if (typeof value === 'string') return [`${pad}${key}: ${plainText(value)}`];
  return [`${pad}${key}:`, ...Object.entries(value).flatMap(([k, v]) => blockLines(k, v, indent + unit, unit))];
}

function flowText(value: Value, spaced: boolean): string {
  if (typeof value === 'string') return plainText(value);
  const inner = Object.entries(value)
    .map(([k, v]) => `${k}: ${flowText(v, spaced)}`)
    .join(', ');
  return spaced ? `{ ${inner} }` : `{${inner}}`;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** The column of a key that starts its line after spaces only (a byte order mark does not count); else undefined. */
function column(text: string, at: number): number | undefined {
  let start = lineStart(text, at);
  if (start === 0 && text.startsWith('\uFEFF')) start = 1;
  return /^ *$/.test(text.slice(start, at)) ? at - start : undefined;
}

/** The file's indentation step: the smallest indentation of a line that has one (2 when none does). */
function indentUnit(text: string): number {
  let unit = 0;
  for (const m of text.matchAll(/^( +)[^ \r\n#-]/gm)) if (unit === 0 || m[1]!.length < unit) unit = m[1]!.length;
  return unit || 2;
}

/** The new value written in the old value's quoting style, falling back to whatever keeps it a string. */
function scalarText(value: string, style: Scalar.Type | undefined): string {
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return plainText(value);
}

/** A string as a plain scalar when that reads back as the same string, else quoted (e.g. "17.10"). */
function plainText(value: string): string {
  return stringify(value).trim();
}

/** The Document API's edit, for shapes the splices do not handle: correct values, the file re-serialised. */
function reserialised(text: string, settings: ImageSetting[]): string {
  const doc = parseDocument(text);
  for (const s of settings) {
    const path = s.field.split('.');
    for (const key of IMAGE_KEYS) {
      if (s.value[key] !== undefined) doc.setIn([...path, key], s.value[key]);
      else if (doc.hasIn([...path, key])) doc.deleteIn([...path, key]);
    }
  }
  return doc.toString();
}

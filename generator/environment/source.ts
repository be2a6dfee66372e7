import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { InputError, type SourceLocation } from '../errors.js';

/** A parsed YAML file that remembers where each value came from. */
export interface YamlSource {
  file: string;
  value: unknown;
  /** JSON pointer (`/mlflow/nodePort`) → where its value starts. */
  values: Map<string, SourceLocation>;
  /** JSON pointer → where its key starts (for "unknown key" errors). */
  keys: Map<string, SourceLocation>;
}

/** Large enough for any real environment file, small enough to stop alias bombs and runaway input. */
const MAX_FILE_BYTES = 256 * 1024;
const MAX_ALIAS_COUNT = 50;

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function readYamlFile(file: string, display = file): YamlSource {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError([
      {
        location: { file: display, line: 1, col: 1 },
        message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})`,
      },
    ]);
  }
  return parseYamlSource(bytes, display);
}

export function parseYamlSource(bytes: Buffer, file: string): YamlSource {
  if (bytes.length > MAX_FILE_BYTES) {
    throw new InputError([
      { location: { file, line: 1, col: 1 }, message: `file is ${bytes.length} bytes; the limit is ${MAX_FILE_BYTES}`, hint: 'an environment file is a few dozen lines' },
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError([{ location: { file, line: 1, col: 1 }, message: 'file is not valid UTF-8', hint: 'save it as UTF-8' }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const syntax = [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')];
  if (doc.errors.length > 0) {
    throw new InputError(
      syntax.map((e) => ({
        location: at(e.pos[0]),
        message: `YAML ${e.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error'}: ${firstLine(e.message)}`,
        hint: e.code === 'DUPLICATE_KEY' ? 'each key may appear once in a mapping' : 'check indentation and quoting on this line',
      })),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new InputError([{ location: { file, line: 1, col: 1 }, message: `YAML cannot be loaded: ${firstLine((e as Error).message)}`, hint: 'avoid YAML aliases; write values out' }]);
  }
  const values = new Map<string, SourceLocation>();
  const keys = new Map<string, SourceLocation>();
  const walk = (node: unknown, pointer: string, depth: number): void => {
    if (depth > 64) return;
    const n = node as Node | null;
    if (n && 'range' in n && n.range) values.set(pointer, at(n.range[0]));
    if (isMap(n)) {
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const keyNode = item.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const child = `${pointer}/${escapePointer(key)}`;
        if (isScalar(keyNode) && keyNode.range) keys.set(child, at(keyNode.range[0]));
        walk(item.value, child, depth + 1);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1));
    }
  };
  values.set('', { file, line: 1, col: 1 });
  walk(doc.contents, '', 0);
  return { file, value, values, keys };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { Composer, CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, YAMLParseError, type Document, type Node } from 'yaml';
import { InputError, type InputProblem, type SourceLocation } from '../errors.js';

/** A parsed YAML file that remembers where each value came from. */
export interface YamlSource {
  file: string;
  value: unknown;
  /** JSON pointer (`/mlflow/nodePort`) → where its value starts. */
  values: Map<string, SourceLocation>;
  /** JSON pointer → where its key starts (for "unknown key" errors). */
  keys: Map<string, SourceLocation>;
}

/**
 * Limits that keep hostile input cheap: an environment file is a few dozen
 * lines, a few levels deep, with at most a handful of anchors. Every limit is
 * checked before the step whose cost it bounds (the YAML composer is
 * recursive and slow on deep nesting and many anchors, so nesting and anchors
 * are counted on the token stream first).
 */
export const MAX_FILE_BYTES = 64 * 1024;
/** Alias expansion budget for `toJS` (stops billion-laughs documents). */
const MAX_ALIAS_COUNT = 50;
/** Parser stack depth; a real environment file stays under 12. */
export const MAX_NESTING = 32;
export const MAX_ANCHORS = 100;
export const MAX_ALIASES = 100;
/** Problems reported per file: the first few matter, the rest follow from them. */
export const MAX_PROBLEMS_PER_FILE = 20;

/** No setting name comes close; long keys would only bloat messages. */
const MAX_KEY_LENGTH = 128;
/** Keys that would change how JavaScript objects behave; no setting is called like this. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Tags of the YAML 1.2 core schema; anything else (`!!js/function`, `!!binary`, `!custom`) is refused. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));
/**
 * Control characters (C0 except tab/newline/carriage return, DEL, C1),
 * zero-width and bidirectional formatting characters: invisible in review,
 * never part of a real setting. Newlines and tabs are left to each field's
 * own rule, which names the field.
 */
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFFE\uFFFF]/u;

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** True when `path` is `root` or inside it (both absolute, already resolved). */
export function isInside(root: string, path: string): boolean {
  const r = relative(root, path);
  return r === '' || (!isAbsolute(r) && r !== '..' && !r.startsWith(`..${sep}`));
}

export interface ReadOptions {
  /**
   * The source repository root. A file (or a symbolic link's target) outside
   * it is refused: what gen-gitops renders must come from the reviewed
   * repository, and a link to /dev/zero, a FIFO or a host file must neither
   * hang the run nor echo that file's content into a CI log.
   */
  within?: string;
  /** Parses already done for the same bytes (see cache/source-cache.ts). */
  memo?: ParseMemo;
}

/** Remembers parses by content digest; only clean parses are handed to `set`. */
export interface ParseMemo {
  digest(bytes: Buffer): string;
  get(digest: string, file: string): YamlSource | undefined;
  set(digest: string, source: YamlSource): void;
}

/**
 * Reads at most MAX_FILE_BYTES + 1 bytes of a regular file. Never blocks on a
 * FIFO or device and never reads more than the limit, whatever the file is.
 */
let scratch: Buffer | undefined;
const realRoots = new Map<string, string>();

/** The source root as the file system resolves it, once per root. */
function realRoot(root: string): string {
  let real = realRoots.get(root);
  if (real === undefined) {
    try {
      real = realpathSync.native(root);
    } catch {
      real = root; // the root was listed moments ago; compare as given
    }
    realRoots.set(root, real);
  }
  return real;
}

export function readYamlFile(file: string, display = file, opts: ReadOptions = {}): YamlSource {
  const fail = (message: string, hint?: string): never => {
    throw new InputError([{ location: { file: display, line: 1, col: 1 }, message, hint }]);
  };
  const cannotRead = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})`);
  };
  if (opts.within !== undefined) {
    let link = false;
    try {
      link = lstatSync(file).isSymbolicLink();
    } catch (e) {
      cannotRead(e);
    }
    let real = file;
    try {
      // .native: one realpath(3) call instead of an lstat per path component (a fleet reads a thousand files).
      real = realpathSync.native(file);
    } catch (e) {
      if (link && (e as NodeJS.ErrnoException).code === 'ENOENT')
        fail('is a symbolic link to a file that does not exist', 'point it at a file inside the source repository, or replace it with the file itself');
      cannotRead(e);
    }
    const root = realRoot(opts.within);
    if (!isInside(root, real)) {
      fail(
        link ? 'is a symbolic link to a file outside the source repository' : 'is outside the source repository',
        'environment files must be part of the source repository; copy the file in instead of linking to it',
      );
    }
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (no effect on regular files).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return cannotRead(e);
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) fail(stat.isDirectory() ? 'is a directory, not a file' : 'is not a regular file', 'an environment file is a plain YAML file');
    if (stat.size > MAX_FILE_BYTES) tooBig(stat.size, display);
    // One scratch buffer for every file: nothing keeps `bytes` once the file is parsed or looked up.
    const buffer = (scratch ??= Buffer.allocUnsafe(MAX_FILE_BYTES + 1));
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_FILE_BYTES) tooBig(Math.max(stat.size, length), display);
    }
    bytes = buffer.subarray(0, length);
  } catch (e) {
    if (e instanceof InputError) throw e;
    return cannotRead(e);
  } finally {
    closeSync(fd);
  }
  if (!opts.memo) return parseYamlSource(bytes, display);
  const digest = opts.memo.digest(bytes);
  const known = opts.memo.get(digest, display);
  if (known) return known;
  const parsed = parseYamlSource(bytes, display);
  opts.memo.set(digest, parsed);
  return parsed;
}

function tooBig(size: number, file: string): never {
  throw new InputError([
    { location: { file, line: 1, col: 1 }, message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES}`, hint: 'an environment file is a few dozen lines' },
  ]);
}

/** At most MAX_PROBLEMS_PER_FILE problems, then one line saying how many more. */
export function capProblems(problems: InputProblem[], file: string): InputProblem[] {
  if (problems.length <= MAX_PROBLEMS_PER_FILE) return problems;
  const rest = problems.length - MAX_PROBLEMS_PER_FILE;
  return [
    ...problems.slice(0, MAX_PROBLEMS_PER_FILE),
    {
      location: problems[MAX_PROBLEMS_PER_FILE]!.location ?? { file, line: 1, col: 1 },
      message: `and ${rest} more problem${rest === 1 ? '' : 's'} in this file`,
      hint: 'fix the ones above first; the rest often follow from them',
    },
  ];
}

/**
 * Runs the YAML lexer and CST parser (both iterative and linear) and stops at
 * the first structure that would make composing expensive: nesting deeper
 * than MAX_NESTING, more than MAX_ANCHORS anchors or MAX_ALIASES aliases.
 * Returns the CST tokens for the composer (the same work parseDocument does).
 */
function parseTokens(text: string, file: string, lines: LineCounter): { tokens: CST.Token[] } | { problem: InputProblem } {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  const at = (offset: number): SourceLocation => {
    const p = lines.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const tokens: CST.Token[] = [];
  let anchors = 0;
  let aliases = 0;
  let atScalar = false;
  for (const lexeme of new Lexer().lex(text)) {
    const offset = parser.offset;
    if (atScalar) atScalar = false;
    else {
      const type = CST.tokenType(lexeme);
      if (type === 'scalar') atScalar = true;
      else if (type === 'anchor' && ++anchors > MAX_ANCHORS) {
        return { problem: { location: at(offset), message: `more than ${MAX_ANCHORS} YAML anchors`, hint: 'avoid YAML aliases; write values out' } };
      } else if (type === 'alias' && ++aliases > MAX_ALIASES) {
        return { problem: { location: at(offset), message: `more than ${MAX_ALIASES} YAML aliases`, hint: 'avoid YAML aliases; write values out' } };
      }
    }
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > MAX_NESTING) {
      return {
        problem: {
          location: at(offset),
          message: `YAML nested too deeply (more than ${MAX_NESTING} levels)`,
          hint: 'an environment file is a few levels deep; check for unclosed [ or {',
        },
      };
    }
  }
  for (const token of parser.end()) tokens.push(token);
  return { tokens };
}

/** parseDocument, from tokens already parsed: the first document, with an error for any further one. */
function composeDocument(tokens: CST.Token[], length: number): Document.Parsed {
  // uniqueKeys is checked by the caller in linear time (the library's own check is quadratic in the keys of a mapping).
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false, strict: true, version: '1.2', schema: 'core', merge: false });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
      break;
    }
  }
  // compose(…, forceDoc = true) always yields a document.
  return doc!;
}

const tagName = (tag: string) => tag.replace(/^tag:yaml\.org,2002:/, '!!');

export function parseYamlSource(bytes: Buffer, file: string): YamlSource {
  if (bytes.length > MAX_FILE_BYTES) tooBig(bytes.length, file);
  let text: string;
  try {
    // A leading UTF-8 byte order mark is accepted (and dropped).
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError([{ location: { file, line: 1, col: 1 }, message: 'file is not valid UTF-8', hint: 'save it as UTF-8' }]);
  }
  const lineCounter = new LineCounter();
  const parsed = parseTokens(text, file, lineCounter);
  if ('problem' in parsed) throw new InputError([parsed.problem]);
  const doc = composeDocument(parsed.tokens, text.length);
  const at = (offset: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const syntax = [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')];
  if (doc.errors.length > 0) {
    throw new InputError(
      capProblems(
        syntax.map((e) => ({
          location: at(e.pos[0]),
          message: `YAML ${e.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error'}: ${firstLine(e.message)}`,
          hint: e.code === 'DUPLICATE_KEY' ? 'each key may appear once in a mapping' : 'check indentation and quoting on this line',
        })),
        file,
      ),
    );
  }
  if (doc.directives.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    throw new InputError([
      {
        location: { file, line: 1, col: 1 },
        message: `YAML version ${doc.directives.yaml.version} is not supported`,
        hint: 'remove the %YAML line; environment files are YAML 1.2',
      },
    ]);
  }

  const values = new Map<string, SourceLocation>();
  const keys = new Map<string, SourceLocation>();
  const problems: InputProblem[] = [];
  const refuse = (offset: number | undefined, message: string, hint?: string) =>
    problems.push({ location: offset === undefined ? { file, line: 1, col: 1 } : at(offset), message, hint });
  const checkTag = (n: Node) => {
    if (n.tag && !CORE_TAGS.has(n.tag))
      refuse(n.range?.[0], `YAML tag ${tagName(n.tag)} is not supported`, 'remove the tag: settings are plain strings, numbers, booleans, lists and mappings');
  };
  const checkText = (s: string, offset: number | undefined, what: string) => {
    const bad = INVISIBLE.exec(s);
    if (bad) refuse(offset, `${what} contains the invisible or control character ${codePoint(bad[0])}`, 'retype the value; only printable characters are allowed');
  };
  // Depth is bounded by structureProblem; aliases are not followed (their anchors are walked where defined).
  const walk = (node: unknown, pointer: string, depth: number): void => {
    if (depth > MAX_NESTING) return;
    const n = node as Node | null;
    if (n && 'range' in n && n.range) values.set(pointer, at(n.range[0]));
    if (!n || isAlias(n)) return;
    checkTag(n);
    if (isMap(n)) {
      const seen = new Map<string, number | undefined>();
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const keyNode = item.key as Node | null;
        if (keyNode !== null && !isScalar(keyNode)) {
          refuse(keyNode.range?.[0], 'a mapping key must be a plain value, not a list, mapping or alias', 'write the key as a plain word');
          continue;
        }
        const raw = keyNode?.value ?? null;
        // The name toJS gives the key (null → '').
        const key = raw === null ? '' : String(raw);
        const offset = keyNode?.range?.[0];
        if (keyNode) checkTag(keyNode);
        checkText(key, offset, 'key');
        if (key.length > MAX_KEY_LENGTH) refuse(offset, `key is ${key.length} characters long; the limit is ${MAX_KEY_LENGTH}`, 'no setting has a name this long');
        else if (RESERVED_KEYS.has(key)) refuse(offset, `key '${key}' is not allowed`, 'no setting has this name; it could change how the loaded objects behave');
        const prior = seen.get(key);
        if (seen.has(key)) {
          const p = prior === undefined ? undefined : at(prior);
          refuse(offset, `YAML duplicate key: Map keys must be unique ('${key}' is also at ${p ? `line ${p.line}` : 'an earlier line'})`, 'each key may appear once in a mapping');
        } else seen.set(key, offset);
        const child = `${pointer}/${escapePointer(key)}`;
        if (offset !== undefined) keys.set(child, at(offset));
        walk(item.value, child, depth + 1);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1));
    } else if (isScalar(n) && typeof n.value === 'string') {
      checkText(n.value, n.range?.[0], 'value');
    }
  };
  values.set('', { file, line: 1, col: 1 });
  walk(doc.contents, '', 0);
  if (problems.length > 0) throw new InputError(capProblems(problems, file));

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new InputError([
      { location: { file, line: 1, col: 1 }, message: `YAML cannot be loaded: ${firstLine((e as Error).message)}`, hint: 'avoid YAML aliases; write values out' },
    ]);
  }
  return { file, value, values, keys };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

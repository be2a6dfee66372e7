/**
 * Port of github.com/gobwas/glob v0.2.3 (the glob library behind ArgoCD's
 * util/glob.Match, used for AppProject destinations and source repos):
 * syntax/lexer/lexer.go and syntax/ast/parser.go, compiled to an anchored
 * regular expression instead of gobwas' matcher tree (same language).
 *
 * Syntax: `*` any run of non-separator characters, `**` any run of
 * characters, `?` one non-separator character, `[abc]` / `[!abc]` /
 * `[a-z]` / `[!a-z]` one character (separators included), `{a,b}`
 * alternatives (nesting allowed; an unclosed `{` is accepted and closed at
 * the end, as gobwas does), `\` escapes the next character (a trailing `\`
 * is dropped). `]`, `}` and `,` outside their constructs are plain text.
 */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'any' }
  | { kind: 'super' }
  | { kind: 'single' }
  | { kind: 'list'; chars: string; not: boolean }
  | { kind: 'range'; lo: string; hi: string; not: boolean }
  | { kind: 'anyOf'; patterns: Node[][] };

class GlobSyntaxError extends Error {}

/** Parses a gobwas pattern; throws GlobSyntaxError where gobwas' Compile fails. */
function parse(pattern: string): Node[] {
  const chars = [...pattern];
  let pos = 0;
  const root: Node[] = [];
  // Stack of open `{`: the alternatives node and the pattern being filled.
  const stack: { node: Extract<Node, { kind: 'anyOf' }>; outer: Node[] }[] = [];
  let current = root;
  const inTerms = () => stack.length > 0;

  const readText = (breakers: string): string => {
    let data = '';
    let escaped = false;
    while (pos < chars.length) {
      const r = chars[pos]!;
      if (!escaped) {
        if (r === '\\') {
          escaped = true;
          pos++;
          continue;
        }
        if (breakers.includes(r)) break;
      }
      escaped = false;
      data += r;
      pos++;
    }
    return data;
  };

  while (pos < chars.length) {
    const r = chars[pos]!;
    if (r === '{') {
      pos++;
      const node: Extract<Node, { kind: 'anyOf' }> = { kind: 'anyOf', patterns: [[]] };
      current.push(node);
      stack.push({ node, outer: current });
      current = node.patterns[0]!;
    } else if (r === ',' && inTerms()) {
      pos++;
      const top = stack[stack.length - 1]!;
      const next: Node[] = [];
      top.node.patterns.push(next);
      current = next;
    } else if (r === '}' && inTerms()) {
      pos++;
      current = stack.pop()!.outer;
    } else if (r === '[') {
      pos++;
      current.push(parseRange());
    } else if (r === '?') {
      pos++;
      current.push({ kind: 'single' });
    } else if (r === '*') {
      pos++;
      if (chars[pos] === '*') {
        pos++;
        current.push({ kind: 'super' });
      } else current.push({ kind: 'any' });
    } else {
      const text = readText(inTerms() ? '?*[{},' : '?*[{');
      if (text !== '') current.push({ kind: 'text', text });
    }
  }
  return root;

  function parseRange(): Node {
    // lexer.fetchRange + parser.parserRange
    let not = false;
    let lo = '';
    let hi = '';
    let list = '';
    let wantHi = false;
    let wantClose = false;
    for (;;) {
      if (pos >= chars.length) throw new GlobSyntaxError('unexpected end of input');
      const r = chars[pos++]!;
      if (wantClose) {
        if (r !== ']') throw new GlobSyntaxError('expected close range character');
        const isRange = lo !== '' && hi !== '';
        const isChars = list !== '';
        if (isRange === isChars) throw new GlobSyntaxError('could not parse range');
        if (isRange) {
          if (hi.codePointAt(0)! < lo.codePointAt(0)!) throw new GlobSyntaxError(`hi character '${hi}' should be greater than lo '${lo}'`);
          return { kind: 'range', lo, hi, not };
        }
        return { kind: 'list', chars: list, not };
      }
      if (wantHi) {
        hi = r;
        wantClose = true;
        continue;
      }
      if (!not && r === '!') {
        not = true;
        continue;
      }
      if (chars[pos] === '-') {
        pos++;
        lo = r;
        wantHi = true;
        continue;
      }
      pos--;
      list = readText(']');
      wantClose = true;
    }
  }
}

/** Escapes for a 'u' regular expression, outside and inside a character class. */
const escapeText = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const escapeClass = (s: string): string => s.replace(/[\\\]\[^-]/g, '\\$&');

function toRegExp(nodes: Node[], separators: string): string {
  const notSep = separators === '' ? '[^]' : `[^${escapeClass(separators)}]`;
  return nodes
    .map((n) => {
      switch (n.kind) {
        case 'text':
          return escapeText(n.text);
        case 'any':
          return `${notSep}*`;
        case 'super':
          return '[^]*';
        case 'single':
          return notSep;
        case 'list':
          return `[${n.not ? '^' : ''}${escapeClass(n.chars)}]`;
        case 'range':
          return `[${n.not ? '^' : ''}${escapeClass(n.lo)}-${escapeClass(n.hi)}]`;
        case 'anyOf':
          return `(?:${n.patterns.map((p) => toRegExp(p, separators)).join('|')})`;
      }
    })
    .join('');
}

const cache = new Map<string, RegExp | null>();

/** gobwas `glob.Compile(pattern, separators...)`; null where it returns an error. */
export function compileGlob(pattern: string, separators = ''): RegExp | null {
  const key = `${separators}\u0000${pattern}`;
  if (cache.has(key)) return cache.get(key)!;
  let re: RegExp | null;
  try {
    re = new RegExp(`^${toRegExp(parse(pattern), separators)}$`, 'u');
  } catch (e) {
    if (!(e instanceof GlobSyntaxError)) throw e;
    re = null;
  }
  cache.set(key, re);
  return re;
}

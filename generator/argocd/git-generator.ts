/**
 * Offline port of ArgoCD's ApplicationSet Git generator parameter engine
 * (argoproj/argo-cd 37ee0097cf851bc2dd7665fc081bbce61a7e836e):
 *
 * - applicationset/generators/git.go: generateParamsForGitFiles,
 *   generateParamsFromGitFile, filterApps, generateParamsFromApps
 * - applicationset/generators/value_interpolation.go: appendTemplatedValues
 * - applicationset/utils/template_functions.go: SanitizeName
 * - util/git/client.go LsFiles (legacy `git ls-files -- <pattern>` pathspec
 *   matching, or bmatcuk/doublestar v4 FilepathGlob with new globbing)
 * - reposerver GetGitFiles / GetGitDirectories (what the repo server returns)
 * - sigs.k8s.io/yaml.Unmarshal (go-yaml v2 scalar resolution, YAML -> JSON ->
 *   encoding/json into map[string]any) and jeremywohl/flatten.
 *
 * No network, no Kubernetes: the repository is given as an in-memory list of
 * files. Everything is synchronous and pure.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, Scalar } from 'yaml';

import {
  compareGoStrings,
  formatGoFloat32,
  formatGoValue,
  renderReplace,
  setOwn,
  type TemplateParams,
} from './fasttemplate.js';

/** One `files:` / `directories:` item of the Git generator. */
export interface GitPathPattern {
  readonly path: string;
  readonly exclude: boolean;
}

/** A generated parameter set (`map[string]any`). */
export type GeneratorParams = Record<string, unknown>;

interface CommonGeneratorInput {
  readonly patterns: readonly GitPathPattern[];
  readonly goTemplate: boolean;
  readonly pathParamPrefix: string;
  readonly values: Readonly<Record<string, string>>;
  /** appSet.spec.goTemplateOptions, e.g. ["missingkey=error"]. */
  readonly goTemplateOptions?: readonly string[];
  /** Only used in error messages, like ArgoCD's. */
  readonly repoURL?: string;
  readonly revision?: string;
}

export interface FilesGeneratorInput extends CommonGeneratorInput {
  /** Every committed file of the repo at the revision: path -> content. */
  readonly repoFiles: Readonly<Record<string, string>>;
  /** applicationsetcontroller.enable.new.git.file.globbing; ArgoCD default false. */
  readonly newGlobbing?: boolean;
}

export interface DirectoriesGeneratorInput extends CommonGeneratorInput {
  /** Directories as returned by the repo server (see `repoDirectories`), in that order. */
  readonly repoDirs: readonly string[];
}

// ---------------------------------------------------------------------------
// Small Go stdlib ports
// ---------------------------------------------------------------------------

const utf8 = new TextEncoder();

function sortGo(paths: Iterable<string>): string[] {
  return [...paths].sort(compareGoStrings);
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** path.Clean (lexical, '/'-separated). */
export function goPathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** path.Dir */
export function goPathDir(p: string): string {
  return goPathClean(p.slice(0, p.lastIndexOf('/') + 1));
}

/** path.Base */
export function goPathBase(p: string): string {
  if (p === '') return '.';
  const stripped = p.replace(/\/+$/, '');
  if (stripped === '') return '/';
  return stripped.slice(stripped.lastIndexOf('/') + 1);
}

/**
 * Port of utils.SanitizeName: strings.ToLower, `[^-a-z0-9.]` -> "-" (one per
 * code point), cut to 253 bytes, trim "-" and "." at both ends.
 * Lower-casing is per code point with Go's simple case mapping: the only
 * non-ASCII runes whose lower case is ASCII are U+0130 (İ -> i) and U+212A
 * (Kelvin sign -> k); JS toLowerCase would turn İ into "i̇" instead.
 */
export function sanitizeName(name: string): string {
  let out = '';
  for (const ch of name) {
    let c = ch;
    if (c >= 'A' && c <= 'Z') c = c.toLowerCase();
    else if (c === '\u0130') c = 'i';
    else if (c === '\u212A') c = 'k';
    out += /^[-a-z0-9.]$/.test(c) ? c : '-';
  }
  // Every rune is ASCII now, so 253 chars == 253 bytes.
  return out.slice(0, 253).replace(/^[-.]+|[-.]+$/g, '');
}

// ---------------------------------------------------------------------------
// UTF-8 helpers for byte-oriented matchers
// ---------------------------------------------------------------------------

const RUNE_ERROR = 0xfffd;

/** utf8.DecodeRune on a byte array; returns [rune, size]. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i];
  if (c0 === undefined) return [RUNE_ERROR, 0];
  if (c0 < 0x80) return [c0, 1];
  const need = c0 >= 0xf0 ? 3 : c0 >= 0xe0 ? 2 : c0 >= 0xc0 ? 1 : -1;
  if (need < 0 || c0 > 0xf4) return [RUNE_ERROR, 1];
  let r = c0 & (0x3f >> need);
  for (let k = 1; k <= need; k++) {
    const c = b[i + k];
    if (c === undefined || (c & 0xc0) !== 0x80) return [RUNE_ERROR, 1];
    r = (r << 6) | (c & 0x3f);
  }
  return [r, need + 1];
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const ch = (c: string): number => c.charCodeAt(0);
const SLASH = ch('/');
const STAR = ch('*');
const QUESTION = ch('?');
const LBRACKET = ch('[');
const RBRACKET = ch(']');
const BACKSLASH = ch('\\');
const LBRACE = ch('{');
const RBRACE = ch('}');
const COMMA = ch(',');
const BANG = ch('!');
const CARET = ch('^');
const DASH = ch('-');
const COLON = ch(':');

// ---------------------------------------------------------------------------
// Legacy globbing: `git ls-files --full-name -z -- <pattern>`
// ---------------------------------------------------------------------------

const WM_MATCH = 0;
const WM_NOMATCH = 1;
const WM_ABORT_ALL = -1;
const WM_ABORT_TO_STARSTAR = -2;

/** git's sane_ctype GLOB_SPECIAL: `*?[\` */
function isGlobSpecial(c: number): boolean {
  return c === STAR || c === QUESTION || c === LBRACKET || c === BACKSLASH;
}

const CTYPE: Record<string, (c: number) => boolean> = {
  alnum: (c) => /[A-Za-z0-9]/.test(String.fromCharCode(c)) && c < 0x80,
  alpha: (c) => /[A-Za-z]/.test(String.fromCharCode(c)) && c < 0x80,
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: (c) => c >= 0x30 && c <= 0x39,
  graph: (c) => c > 0x20 && c < 0x7f,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: (c) => c >= 0x20 && c < 0x7f,
  punct: (c) => c > 0x20 && c < 0x7f && !/[A-Za-z0-9]/.test(String.fromCharCode(c)),
  space: (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d,
  upper: (c) => c >= 0x41 && c <= 0x5a,
  xdigit: (c) => /[0-9A-Fa-f]/.test(String.fromCharCode(c)) && c < 0x80,
};

/**
 * Port of git wildmatch.c `dowild` (8-bit clean, no WM_CASEFOLD). Without
 * WM_PATHNAME — the mode used for ordinary pathspecs — `*` and `**` both
 * match across "/", and "**\/" does NOT match zero directories.
 */
function dowild(p: Uint8Array, pi0: number, t: Uint8Array, ti0: number, pathname: boolean): number {
  const at = (a: Uint8Array, i: number): number => a[i] ?? 0;
  let pi = pi0;
  let ti = ti0;
  for (; at(p, pi) !== 0; ti++, pi++) {
    let pCh = at(p, pi);
    let tCh = at(t, ti);
    if (tCh === 0 && pCh !== STAR) return WM_ABORT_ALL;
    switch (pCh) {
      case BACKSLASH:
        pCh = at(p, ++pi);
        if (tCh !== pCh) return WM_NOMATCH;
        continue;
      case QUESTION:
        if (pathname && tCh === SLASH) return WM_NOMATCH;
        continue;
      case STAR: {
        let matchSlash: boolean;
        if (at(p, ++pi) === STAR) {
          const prevP = pi - 2;
          while (at(p, ++pi) === STAR) {
            /* skip */
          }
          if (!pathname) matchSlash = true;
          else if (
            (prevP < 0 || at(p, prevP) === SLASH) &&
            (at(p, pi) === 0 || at(p, pi) === SLASH || (at(p, pi) === BACKSLASH && at(p, pi + 1) === SLASH))
          ) {
            if (at(p, pi) === SLASH && dowild(p, pi + 1, t, ti, pathname) === WM_MATCH) return WM_MATCH;
            matchSlash = true;
          } else matchSlash = false;
        } else matchSlash = !pathname;
        if (at(p, pi) === 0) {
          if (!matchSlash && t.indexOf(SLASH, ti) >= 0) return WM_NOMATCH;
          return WM_MATCH;
        } else if (!matchSlash && at(p, pi) === SLASH) {
          const slash = t.indexOf(SLASH, ti);
          if (slash < 0) return WM_NOMATCH;
          ti = slash;
          break; // the slash is consumed by the for loop
        }
        for (;;) {
          if (tCh === 0) break;
          if (!isGlobSpecial(at(p, pi))) {
            pCh = at(p, pi);
            while ((tCh = at(t, ti)) !== 0 && (matchSlash || tCh !== SLASH)) {
              if (tCh === pCh) break;
              ti++;
            }
            if (tCh !== pCh) return WM_NOMATCH;
          }
          const matched = dowild(p, pi, t, ti, pathname);
          if (matched !== WM_NOMATCH) {
            if (!matchSlash || matched !== WM_ABORT_TO_STARSTAR) return matched;
          } else if (!matchSlash && tCh === SLASH) return WM_ABORT_TO_STARSTAR;
          tCh = at(t, ++ti);
        }
        return WM_ABORT_ALL;
      }
      case LBRACKET: {
        pCh = at(p, ++pi);
        if (pCh === CARET) pCh = BANG;
        const negated = pCh === BANG;
        if (negated) pCh = at(p, ++pi);
        let prevCh = 0;
        let matched = false;
        for (;;) {
          body: {
            if (pCh === 0) return WM_ABORT_ALL;
            if (pCh === BACKSLASH) {
              pCh = at(p, ++pi);
              if (pCh === 0) return WM_ABORT_ALL;
              if (tCh === pCh) matched = true;
            } else if (pCh === DASH && prevCh !== 0 && at(p, pi + 1) !== 0 && at(p, pi + 1) !== RBRACKET) {
              pCh = at(p, ++pi);
              if (pCh === BACKSLASH) {
                pCh = at(p, ++pi);
                if (pCh === 0) return WM_ABORT_ALL;
              }
              if (tCh <= pCh && tCh >= prevCh) matched = true;
              pCh = 0;
            } else if (pCh === LBRACKET && at(p, pi + 1) === COLON) {
              pi += 2;
              const s = pi;
              while ((pCh = at(p, pi)) !== 0 && pCh !== RBRACKET) pi++;
              if (pCh === 0) return WM_ABORT_ALL;
              const len = pi - s - 1;
              if (len < 0 || at(p, pi - 1) !== COLON) {
                // Didn't find ":]", so treat like a normal set.
                pi = s - 2;
                pCh = LBRACKET;
                if (tCh === pCh) matched = true;
                break body;
              }
              const cls = CTYPE[new TextDecoder().decode(p.subarray(s, s + len))];
              if (!cls) return WM_ABORT_ALL; // malformed [:class:]
              if (cls(tCh)) matched = true;
              pCh = 0;
            } else if (tCh === pCh) matched = true;
          }
          prevCh = pCh;
          pCh = at(p, ++pi);
          if (pCh === RBRACKET) break;
        }
        if (matched === negated || (pathname && tCh === SLASH)) return WM_NOMATCH;
        continue;
      }
      default:
        if (tCh !== pCh) return WM_NOMATCH;
        continue;
    }
  }
  return at(t, ti) !== 0 ? WM_NOMATCH : WM_MATCH;
}

/** git path.c normalize_path_copy_len; null when ".." climbs above the root. */
function normalizeGitPath(src: string): string | null {
  let dst = '';
  let i = 0;
  while (src[i] === '/') i++;
  for (;;) {
    if (src[i] === '.') {
      const next = src[i + 1];
      if (next === undefined) {
        i++;
      } else if (next === '/') {
        i += 2;
        while (src[i] === '/') i++;
        continue;
      } else if (next === '.' && (src[i + 2] === undefined || src[i + 2] === '/')) {
        i += src[i + 2] === undefined ? 2 : 3;
        while (src[i] === '/') i++;
        // up_one: drop the last component of dst (dst ends with '/').
        if (dst === '') return null;
        dst = dst.slice(0, dst.slice(0, -1).lastIndexOf('/') + 1);
        continue;
      }
    }
    let c: string | undefined;
    while ((c = src[i++]) !== undefined && c !== '/') dst += c;
    if (c === '/') {
      dst += '/';
      while (src[i] === '/') i++;
    } else break;
  }
  return dst;
}

/** dir.c simple_length: bytes before the first glob special. */
function simpleLength(b: Uint8Array): number {
  const i = b.findIndex(isGlobSpecial);
  return i < 0 ? b.length : i;
}

function bytesStartWith(name: Uint8Array, prefix: Uint8Array, len: number): boolean {
  if (name.length < len) return false;
  for (let i = 0; i < len; i++) if (name[i] !== prefix[i]) return false;
  return true;
}

/**
 * dir.c match_pathspec_item for a plain (no magic) pathspec at the repo root:
 * exact path, directory prefix ("dir" or "dir/" matches "dir/…"), or
 * wildmatch without WM_PATHNAME after the literal prefix (git_fnmatch).
 */
function matchPathspecItem(match: Uint8Array, name: Uint8Array): boolean {
  if (match.length === 0) return true; // "." — MATCHED_RECURSIVELY
  const len = match.length;
  if (bytesStartWith(name, match, len)) {
    if (len === name.length) return true;
    if (match[len - 1] === SLASH || name[len] === SLASH) return true;
  }
  const nowildcardLen = simpleLength(match);
  if (nowildcardLen < len) {
    if (!bytesStartWith(name, match, nowildcardLen)) return false;
    return dowild(match, nowildcardLen, name, nowildcardLen, false) === WM_MATCH;
  }
  return false;
}

/** Legacy LsFiles: `git ls-files --full-name -z -- <pattern>` run at the root. */
function gitLsFiles(repoFiles: readonly string[], pattern: string): string[] {
  if (pattern === '') {
    throw new Error('fatal: empty string is not a valid pathspec. please use . instead if you meant to match all paths');
  }
  if (pattern.startsWith(':')) {
    throw new Error(`pathspec magic is not supported by this port: ${pattern}`);
  }
  const normalized = pattern.startsWith('/') ? null : normalizeGitPath(pattern);
  if (normalized === null) {
    throw new Error(`fatal: ${pattern}: '${pattern}' is outside repository`);
  }
  const match = utf8.encode(normalized);
  return sortGo(repoFiles.filter((f) => matchPathspecItem(match, utf8.encode(f))));
}

// ---------------------------------------------------------------------------
// New globbing: bmatcuk/doublestar v4 (Match, ValidatePattern, SplitPattern)
// ---------------------------------------------------------------------------

/** doublestar validate.go doValidatePattern (separator '/'). */
function doublestarValidate(s: Uint8Array): boolean {
  let altDepth = 0;
  const l = s.length;
  outer: for (let i = 0; i < l; i++) {
    switch (s[i]) {
      case BACKSLASH:
        if (++i >= l) return false;
        continue;
      case LBRACKET:
        if (++i >= l) return false;
        if (s[i] === CARET || s[i] === BANG) i++;
        if (i >= l || s[i] === RBRACKET) return false;
        for (; i < l; i++) {
          if (s[i] === BACKSLASH) i++;
          else if (s[i] === RBRACKET) continue outer;
        }
        return false;
      case LBRACE:
        altDepth++;
        continue;
      case RBRACE:
        if (altDepth === 0) return false;
        altDepth--;
        continue;
    }
  }
  return altDepth === 0;
}

function indexUnescapedByte(s: Uint8Array, from: number, c: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === BACKSLASH) i++;
    else if (s[i] === c) return i - from;
  }
  return -1;
}

/** Index (relative to `from`) of the `}` closing an alt opened just before `from`. */
function indexMatchedClosingAlt(s: Uint8Array, from: number, to = s.length): number {
  let alts = 1;
  for (let i = from; i < to; i++) {
    if (s[i] === BACKSLASH) i++;
    else if (s[i] === LBRACE) alts++;
    else if (s[i] === RBRACE && --alts === 0) return i - from;
  }
  return -1;
}

function indexNextAlt(s: Uint8Array, from: number, to: number): number {
  let alts = 1;
  for (let i = from; i < to; i++) {
    if (s[i] === BACKSLASH) i++;
    else if (s[i] === LBRACE) alts++;
    else if (s[i] === RBRACE) alts--;
    else if (s[i] === COMMA && alts === 1) return i - from;
  }
  return -1;
}

class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

/** doublestar match.go isZeroLengthPattern. */
function isZeroLengthPattern(pattern: Uint8Array, validate: boolean): boolean {
  const s = new TextDecoder().decode(pattern);
  if (s === '' || s === '*' || s === '**' || s === '/**' || s === '**/' || s === '/**/') return true;
  if (pattern[0] === LBRACE) {
    const closingIdx0 = indexMatchedClosingAlt(pattern, 1);
    if (closingIdx0 === -1) throw new BadPatternError();
    const closingIdx = closingIdx0 + 1;
    const after = pattern.subarray(closingIdx + 1);
    let patIdx = 1;
    for (;;) {
      const commaIdx0 = indexNextAlt(pattern, patIdx, closingIdx);
      if (commaIdx0 === -1) break;
      const commaIdx = commaIdx0 + patIdx;
      if (isZeroLengthPattern(concatBytes(pattern.subarray(patIdx, commaIdx), after), validate)) return true;
      patIdx = commaIdx + 1;
    }
    return isZeroLengthPattern(concatBytes(pattern.subarray(patIdx, closingIdx), after), validate);
  }
  if (validate && !doublestarValidate(pattern)) throw new BadPatternError();
  return false;
}

interface DoublestarState {
  dsPat: number;
  dsName: number;
  starPat: number;
  starName: number;
}

/** doublestar match.go doMatchWithSeparator (separator '/', case-sensitive). */
function doublestarDoMatch(
  pattern: Uint8Array,
  name: Uint8Array,
  validate: boolean,
  state: DoublestarState,
  patIdx0: number,
  nameIdx0: number,
): boolean {
  let { dsPat, dsName, starPat, starName } = state;
  let patIdx = patIdx0;
  let nameIdx = nameIdx0;
  const patLen = pattern.length;
  const nameLen = name.length;
  let startOfSegment = true;
  MATCH: while (nameIdx < nameLen) {
    if (patIdx < patLen) {
      sw: switch (pattern[patIdx]) {
        case STAR: {
          if (++patIdx < patLen && pattern[patIdx] === STAR) {
            patIdx++;
            if (startOfSegment) {
              if (patIdx >= patLen) return true; // pattern ends in `/**`
              const [patRune, patRuneLen] = decodeRune(pattern, patIdx);
              if (patRune === SLASH) {
                patIdx += patRuneLen;
                dsPat = patIdx;
                dsName = nameIdx;
                starPat = -1;
                starName = -1;
                continue MATCH;
              }
            }
          }
          startOfSegment = false;
          starPat = patIdx;
          starName = nameIdx;
          continue MATCH;
        }
        case QUESTION: {
          startOfSegment = false;
          const [nameRune, nameRuneLen] = decodeRune(name, nameIdx);
          if (nameRune === SLASH) break sw;
          patIdx++;
          nameIdx += nameRuneLen;
          continue MATCH;
        }
        case LBRACKET: {
          startOfSegment = false;
          if (++patIdx >= patLen) throw new BadPatternError();
          const [nameRune, nameRuneLen] = decodeRune(name, nameIdx);
          let matched = false;
          const negate = pattern[patIdx] === BANG || pattern[patIdx] === CARET;
          if (negate) patIdx++;
          if (patIdx >= patLen || pattern[patIdx] === RBRACKET) throw new BadPatternError();
          const MAX_RUNE = 0x10ffff;
          let last = MAX_RUNE;
          while (patIdx < patLen && pattern[patIdx] !== RBRACKET) {
            let [patRune, patRuneLen] = decodeRune(pattern, patIdx);
            patIdx += patRuneLen;
            if (last < MAX_RUNE && patRune === DASH && patIdx < patLen && pattern[patIdx] !== RBRACKET) {
              if (pattern[patIdx] === BACKSLASH) patIdx++;
              [patRune, patRuneLen] = decodeRune(pattern, patIdx);
              patIdx += patRuneLen;
              if (last <= nameRune && nameRune <= patRune) {
                matched = true;
                break;
              }
              last = MAX_RUNE;
              continue;
            }
            if (patRune === BACKSLASH) {
              [patRune, patRuneLen] = decodeRune(pattern, patIdx);
              patIdx += patRuneLen;
            }
            if (patRune === nameRune) {
              matched = true;
              break;
            }
            last = patRune;
          }
          if (matched === negate) {
            if (patIdx >= patLen) throw new BadPatternError();
            break sw;
          }
          const closingIdx = indexUnescapedByte(pattern, patIdx, RBRACKET);
          if (closingIdx === -1) throw new BadPatternError();
          patIdx += closingIdx + 1;
          nameIdx += nameRuneLen;
          continue MATCH;
        }
        case LBRACE: {
          startOfSegment = false;
          const beforeIdx = patIdx;
          patIdx++;
          const closing0 = indexMatchedClosingAlt(pattern, patIdx);
          if (closing0 === -1) throw new BadPatternError();
          const closingIdx = closing0 + patIdx;
          const head = pattern.subarray(0, beforeIdx);
          const tail = pattern.subarray(closingIdx + 1);
          const sub: DoublestarState = { dsPat, dsName, starPat, starName };
          for (;;) {
            const comma0 = indexNextAlt(pattern, patIdx, closingIdx);
            if (comma0 === -1) break;
            const commaIdx = comma0 + patIdx;
            const alt = concatBytes(head, pattern.subarray(patIdx, commaIdx), tail);
            if (doublestarDoMatch(alt, name, validate, sub, beforeIdx, nameIdx)) return true;
            patIdx = commaIdx + 1;
          }
          const alt = concatBytes(head, pattern.subarray(patIdx, closingIdx), tail);
          return doublestarDoMatch(alt, name, validate, sub, beforeIdx, nameIdx);
        }
        default: {
          if (pattern[patIdx] === BACKSLASH) {
            if (++patIdx >= patLen) throw new BadPatternError();
          }
          const [patRune, patRuneLen] = decodeRune(pattern, patIdx);
          const [nameRune, nameRuneLen] = decodeRune(name, nameIdx);
          if (patRune !== nameRune) {
            if (patIdx > 0 && pattern[patIdx - 1] === BACKSLASH) patIdx--;
            break sw;
          }
          patIdx += patRuneLen;
          nameIdx += nameRuneLen;
          startOfSegment = patRune === SLASH;
          continue MATCH;
        }
      }
    }

    if (starPat >= 0) {
      const [nameRune, nameRuneLen] = decodeRune(name, starName);
      if (nameRune !== SLASH) {
        starName += nameRuneLen;
        patIdx = starPat;
        nameIdx = starName;
        startOfSegment = false;
        continue;
      }
    }
    if (dsPat >= 0) {
      nameIdx = dsName;
      while (nameIdx < nameLen) {
        const [nameRune, nameRuneLen] = decodeRune(name, nameIdx);
        nameIdx += nameRuneLen;
        if (nameRune === SLASH) {
          dsName = nameIdx;
          patIdx = dsPat;
          startOfSegment = true;
          continue MATCH;
        }
      }
    }
    if (validate && patIdx < patLen && !doublestarValidate(pattern.subarray(patIdx))) throw new BadPatternError();
    return false;
  }
  return isZeroLengthPattern(pattern.subarray(patIdx), validate);
}

/** doublestar.Match(pattern, name); throws on ErrBadPattern. */
export function doublestarMatch(pattern: string, name: string): boolean {
  const state = { dsPat: -1, dsName: -1, starPat: -1, starName: -1 };
  return doublestarDoMatch(utf8.encode(pattern), utf8.encode(name), true, state, 0, 0);
}

/** doublestar utils.go SplitPattern: the glob part after the last literal dir. */
function doublestarGlobPart(p: string): string {
  let splitIdx = -1;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '/') splitIdx = i;
    else if (c === '*' || c === '?' || c === '[' || c === '{') break;
  }
  return splitIdx >= 0 ? p.slice(splitIdx + 1) : p;
}

/**
 * Clean `filepath.Join(root, pattern)` relative to root. null when the cleaned
 * pattern climbs above the repo root (ArgoCD then only keeps results that are
 * back inside the root, which an in-memory listing cannot reproduce).
 */
function cleanRelativeToRoot(pattern: string): string | null {
  const out: string[] = [];
  for (const seg of pattern.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** Every file plus each ancestor directory: what exists on disk after checkout. */
function pathsOnDisk(repoFiles: readonly string[]): string[] {
  const all = new Set<string>();
  for (const file of repoFiles) {
    all.add(file);
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  return [...all];
}

/**
 * New-globbing LsFiles: doublestar.FilepathGlob(filepath.Join(root, pattern)).
 * Matches directories as well as files (the repo server then fails reading
 * them); `**` alone also yields "." (the root). `.git/` contents, which the
 * real glob would see, are not modelled.
 */
function doublestarLsFiles(repoFiles: readonly string[], pattern: string): string[] {
  const rel = cleanRelativeToRoot(pattern);
  if (rel === null) return [];
  if (rel === '.') return ['.'];
  if (!doublestarValidate(utf8.encode(doublestarGlobPart(`/${rel}`)))) throw new BadPatternError();
  const pat = utf8.encode(rel);
  const matches = pathsOnDisk(repoFiles).filter((p) =>
    doublestarDoMatch(pat, utf8.encode(p), false, { dsPat: -1, dsName: -1, starPat: -1, starName: -1 }, 0, 0),
  );
  if (rel === '**') matches.push('.');
  return sortGo(matches);
}

/**
 * Port of util/git/client.go `nativeGitClient.LsFiles(path, enableNewGitFileGlobbing)`
 * over an in-memory list of committed files (repo-root relative, '/'-separated).
 *
 * - legacy (newGlobbing=false, ArgoCD's default): git pathspec semantics —
 *   `*`, `**`, `?` and `[...]` all match "/" (fnmatch without FNM_PATHNAME), so
 *   `a/*.yaml` also matches `a/b/c.yaml` while `a/**\/x` does NOT match `a/x`;
 *   a pattern without wildcards also matches everything below that directory.
 * - new (doublestar v4): `*` stays within a segment, `/**\/` spans zero or
 *   more directories, `{a,b}` alternatives; directories can match too.
 *
 * Result is sorted in Go string order. Throws on malformed patterns.
 */
export function lsFiles(repoFiles: string[], pattern: string, newGlobbing: boolean): string[] {
  return newGlobbing ? doublestarLsFiles(repoFiles, pattern) : gitLsFiles(repoFiles, pattern);
}

// ---------------------------------------------------------------------------
// Go path.Match (used by the directories generator's filterApps)
// ---------------------------------------------------------------------------

/** path.Match getEsc; returns [rune, next index] or throws ErrBadPattern. */
function getEsc(chunk: Uint8Array, i0: number, end: number): [number, number] {
  let i = i0;
  if (i >= end || chunk[i] === DASH || chunk[i] === RBRACKET) throw new BadPatternError();
  if (chunk[i] === BACKSLASH) {
    i++;
    if (i >= end) throw new BadPatternError();
  }
  const [r, n] = decodeRune(chunk.subarray(0, end), i);
  if (r === RUNE_ERROR && n === 1) throw new BadPatternError();
  if (i + n >= end) throw new BadPatternError();
  return [r, i + n];
}

/** path.Match matchChunk: null when no match, else the rest of s. */
function matchChunk(chunk: Uint8Array, s0: Uint8Array): Uint8Array | null {
  let s = s0;
  let failed = false;
  let i = 0;
  const end = chunk.length;
  while (i < end) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[i];
    if (c === LBRACKET) {
      let r = 0;
      if (!failed) {
        const [rr, n] = decodeRune(s, 0);
        r = rr;
        s = s.subarray(n);
      }
      i++;
      let negated = false;
      if (i < end && chunk[i] === CARET) {
        negated = true;
        i++;
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (i < end && chunk[i] === RBRACKET && nrange > 0) {
          i++;
          break;
        }
        const [lo, afterLo] = getEsc(chunk, i, end);
        i = afterLo;
        let hi = lo;
        if (chunk[i] === DASH) {
          const [h, afterHi] = getEsc(chunk, i + 1, end);
          hi = h;
          i = afterHi;
        }
        if (lo <= r && r <= hi) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === QUESTION) {
      if (!failed) {
        if (s[0] === SLASH) failed = true;
        s = s.subarray(decodeRune(s, 0)[1]);
      }
      i++;
    } else {
      if (c === BACKSLASH) {
        i++;
        if (i >= end) throw new BadPatternError();
      }
      if (!failed) {
        if (chunk[i] !== s[0]) failed = true;
        s = s.subarray(1);
      }
      i++;
    }
  }
  return failed ? null : s;
}

/** path.Match scanChunk. */
function scanChunk(pattern: Uint8Array): { star: boolean; chunk: Uint8Array; rest: Uint8Array } {
  let p = pattern;
  let star = false;
  while (p.length > 0 && p[0] === STAR) {
    p = p.subarray(1);
    star = true;
  }
  let inrange = false;
  for (let i = 0; i < p.length; i++) {
    switch (p[i]) {
      case BACKSLASH:
        if (i + 1 < p.length) i++;
        break;
      case LBRACKET:
        inrange = true;
        break;
      case RBRACKET:
        inrange = false;
        break;
      case STAR:
        if (!inrange) return { star, chunk: p.subarray(0, i), rest: p.subarray(i) };
    }
  }
  return { star, chunk: p, rest: new Uint8Array(0) };
}

/** Port of Go's path.Match (`*` never crosses "/"); throws ErrBadPattern. */
export function goPathMatch(patternStr: string, nameStr: string): boolean {
  let pattern: Uint8Array = utf8.encode(patternStr);
  let name: Uint8Array = utf8.encode(nameStr);
  Pattern: while (pattern.length > 0) {
    const scanned = scanChunk(pattern);
    const { star, chunk } = scanned;
    pattern = scanned.rest;
    if (star && chunk.length === 0) return name.indexOf(SLASH) < 0;
    let t: Uint8Array | null = null;
    let err: unknown = null;
    try {
      t = matchChunk(chunk, name);
    } catch (e) {
      err = e;
    }
    if (t !== null && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (err) throw err;
    if (star) {
      for (let i = 0; i < name.length && name[i] !== SLASH; i++) {
        const rest = matchChunk(chunk, name.subarray(i + 1));
        if (rest !== null) {
          if (pattern.length === 0 && rest.length > 0) continue;
          name = rest;
          continue Pattern;
        }
      }
    }
    // Before returning false, check the remainder of the pattern is valid.
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      matchChunk(next.chunk, new Uint8Array(0));
    }
    return false;
  }
  return name.length === 0;
}

// ---------------------------------------------------------------------------
// sigs.k8s.io/yaml.Unmarshal: go-yaml v2 decode -> JSON -> encoding/json
// ---------------------------------------------------------------------------

const TAG_STR = '!!str';
const TAG_BOOL = '!!bool';
const TAG_INT = '!!int';
const TAG_FLOAT = '!!float';
const TAG_NULL = '!!null';
const TAG_TIMESTAMP = '!!timestamp';
const TAG_BINARY = '!!binary';
const TAG_MERGE = '!!merge';
const LONG_TAG_PREFIX = 'tag:yaml.org,2002:';

/** A go-yaml v2 resolved scalar. */
type YamlScalar =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string };

const str = (value: string): YamlScalar => ({ kind: 'str', value });

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

const INT64_MAX = (1n << 63n) - 1n;
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

function shortTag(tag: string): string {
  return tag.startsWith(LONG_TAG_PREFIX) ? `!!${tag.slice(LONG_TAG_PREFIX.length)}` : tag;
}

const RESOLVABLE_TAGS = new Set(['', TAG_STR, TAG_BOOL, TAG_INT, TAG_FLOAT, TAG_NULL, TAG_TIMESTAMP]);

/** go-yaml v2 resolve(tag, in) including the tag/value consistency check. */
function resolveTagged(tag: string, input: string): [string, YamlScalar] {
  if (!RESOLVABLE_TAGS.has(tag)) return [tag, str(input)];
  const [rtag, out] = resolveImplicit(tag, input);
  if (tag === '' || tag === rtag || tag === TAG_STR) return [rtag, out];
  if (tag === TAG_FLOAT && rtag === TAG_INT && out.kind === 'int') {
    return [TAG_FLOAT, { kind: 'float', value: Number(out.value) }];
  }
  throw new Error(`yaml: cannot decode ${rtag} \`${input}\` as a ${tag}`);
}

/** go-yaml v2 decoder.scalar() for an `interface{}` target. */
function decodeScalar(node: Scalar): YamlScalar {
  // `source` is the scalar text before yaml's own tag resolution (which would
  // already turn !!timestamp / !!binary into Date / Uint8Array).
  const value = typeof node.source === 'string' ? node.source : node.value == null ? '' : String(node.value);
  const tag = node.tag ? shortTag(node.tag) : '';
  // Quoted and block scalars without a tag are plain strings ("!" counts as implicit).
  const implicit = node.type === Scalar.PLAIN || tag === '!';
  if (tag === '' && !implicit) return str(value);
  const [rtag, resolved] = resolveTagged(tag, value);
  if (rtag === TAG_BINARY) {
    const clean = value.replace(/[\r\n]/g, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) {
      throw new Error('yaml: !!binary value contains invalid base64 data');
    }
    return str(new TextDecoder().decode(Buffer.from(clean, 'base64')));
  }
  return resolved;
}

/** A JSON value as encoding/json decodes it into `any`. */
type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** json.Marshal of the scalar, then json.Unmarshal into `any` (numbers -> float64). */
function scalarToJson(s: YamlScalar): JsonValue {
  switch (s.kind) {
    case 'null':
      return null;
    case 'bool':
      return s.value;
    case 'int':
      return Number(s.value);
    case 'float':
      if (!Number.isFinite(s.value)) {
        throw new Error(`json: unsupported value: ${Number.isNaN(s.value) ? 'NaN' : s.value > 0 ? '+Inf' : '-Inf'}`);
      }
      return s.value;
    case 'str':
      return s.value;
  }
}

/** sigs.k8s.io/yaml convertToJSONableObject: map keys become strings. */
function scalarToKey(s: YamlScalar): string {
  switch (s.kind) {
    case 'str':
      return s.value;
    case 'bool':
      return s.value ? 'true' : 'false';
    case 'int':
      if (s.value > INT64_MAX) throw new Error(`unsupported map key of type: uint64, key: ${s.value}`);
      return s.value.toString();
    case 'float': {
      const f = formatGoFloat32(s.value);
      return f === '+Inf' ? '.inf' : f === '-Inf' ? '-.inf' : f === 'NaN' ? '.nan' : f;
    }
    case 'null':
      throw new Error('unsupported map key of type: %!s(<nil>), key: <nil>');
  }
}

const MAX_ALIAS_DEPTH = 1000;

class YamlToJson {
  constructor(private readonly doc: Document.Parsed) {}

  value(node: unknown, depth = 0): JsonValue {
    if (depth > MAX_ALIAS_DEPTH) throw new Error('yaml: document contains excessive aliasing');
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.value(node.resolve(this.doc), depth + 1);
    if (isScalar(node)) return scalarToJson(decodeScalar(node));
    if (isSeq(node)) return node.items.map((item) => this.value(item, depth + 1));
    if (isMap(node)) {
      const out: { [key: string]: JsonValue } = {};
      this.mapInto(node, out, depth + 1);
      return out;
    }
    throw new Error('yaml: unsupported node');
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private key(node: unknown): string {
    const key = this.deref(node);
    if (key === null || key === undefined) return scalarToKey({ kind: 'null' });
    if (isScalar(key)) return scalarToKey(decodeScalar(key));
    throw new Error('yaml: invalid map key: a mapping or sequence cannot be a key');
  }

  /** go-yaml v2 decoder.mapping: keys in order, later ones (and merges) overwrite. */
  private mapInto(node: unknown, out: { [key: string]: JsonValue }, depth: number): void {
    if (depth > MAX_ALIAS_DEPTH) throw new Error('yaml: document contains excessive aliasing');
    const map = this.deref(node);
    if (!isMap(map)) throw new Error('yaml: map merge requires map or sequence of maps as the value');
    for (const pair of map.items) {
      if (this.isMerge(pair.key)) {
        this.merge(pair.value, out, depth + 1);
        continue;
      }
      setOwn(out, this.key(pair.key), this.value(pair.value, depth + 1));
    }
  }

  private isMerge(node: unknown): boolean {
    if (!isScalar(node) || node.value !== '<<') return false;
    const tag = node.tag ? shortTag(node.tag) : '';
    return (node.type === Scalar.PLAIN && (tag === '' || tag === '!')) || tag === TAG_MERGE;
  }

  /** go-yaml v2 decoder.merge: a map, an alias to a map, or a sequence of those (earlier wins). */
  private merge(node: unknown, out: { [key: string]: JsonValue }, depth: number): void {
    if (isSeq(node)) {
      for (const item of [...node.items].reverse()) this.mapInto(item, out, depth);
      return;
    }
    this.mapInto(node, out, depth);
  }
}

/** Go's json type names used in UnmarshalTypeError. */
function jsonKind(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

function isJsonObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** YAML (first document only, like go-yaml v2 Unmarshal) -> JSON-able value. */
function yamlToJson(content: string): JsonValue {
  const docs = parseAllDocuments(content, { schema: 'failsafe', uniqueKeys: false, strict: false, merge: false });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (!doc) return null; // empty stream: same as an empty document
  const firstError = doc.errors[0];
  if (firstError) throw new Error(`error converting YAML to JSON: yaml: ${firstError.message.split('\n')[0]}`);
  try {
    return new YamlToJson(doc).value(doc.contents);
  } catch (err) {
    throw new Error(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}

/**
 * generateParamsFromGitFile's parsing: yaml.Unmarshal into map[string]any and,
 * failing that, into []map[string]any. Empty / null content yields one empty
 * object; `[]` yields none; null array items yield empty objects.
 */
function parseGitFileObjects(content: string): Record<string, JsonValue>[] {
  const json = yamlToJson(content);
  if (json === null) return [{}];
  if (isJsonObject(json)) return [json];
  const prefix = 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal';
  if (!Array.isArray(json)) {
    throw new Error(`${prefix} ${jsonKind(json)} into Go value of type []map[string]interface {}`);
  }
  return json.map((item) => {
    if (item === null) return {};
    if (!isJsonObject(item)) {
      throw new Error(`${prefix} ${jsonKind(item)} into Go value of type map[string]interface {}`);
    }
    return item;
  });
}

// ---------------------------------------------------------------------------
// Parameter generation (git.go)
// ---------------------------------------------------------------------------

/**
 * jeremywohl/flatten Flatten(nested, "", DotStyle): nested maps and slices
 * become "a.b" / "a.0" keys; empty maps/slices vanish; scalars are kept.
 */
function flattenDot(nested: Record<string, JsonValue>): Map<string, JsonValue> {
  const flat = new Map<string, JsonValue>();
  const walk = (value: JsonValue, key: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${key}.${i}`));
    else if (isJsonObject(value)) for (const [k, v] of Object.entries(value)) walk(v, `${key}.${k}`);
    else flat.set(key, value);
  };
  for (const [k, v] of Object.entries(nested)) walk(v, k);
  return flat;
}

/** Path params in the flat (fasttemplate) form: path, path.basename, path[n], ... */
function addFlatPathParams(params: GeneratorParams, name: string, dir: string, filename?: string): void {
  params[name] = dir;
  params[`${name}.basename`] = goPathBase(dir);
  if (filename !== undefined) params[`${name}.filename`] = filename;
  params[`${name}.basenameNormalized`] = sanitizeName(goPathBase(dir));
  if (filename !== undefined) params[`${name}.filenameNormalized`] = sanitizeName(goPathBase(filename));
  dir.split('/').forEach((segment, k) => {
    if (segment !== '') params[`${name}[${k}]`] = segment;
  });
}

/** Path params in the goTemplate form: {path: {path, basename, ..., segments}}. */
function addNestedPathParams(params: GeneratorParams, prefix: string, dir: string, filename?: string): void {
  const paramPath: Record<string, unknown> = { path: dir, basename: goPathBase(dir) };
  if (filename !== undefined) paramPath['filename'] = filename;
  paramPath['basenameNormalized'] = sanitizeName(goPathBase(dir));
  if (filename !== undefined) paramPath['filenameNormalized'] = sanitizeName(goPathBase(filename));
  paramPath['segments'] = dir.split('/');
  if (prefix !== '') setOwn(params, prefix, { path: paramPath });
  else params['path'] = paramPath;
}

/**
 * Port of value_interpolation.go appendTemplatedValues: every value is
 * rendered against the params built so far (not against other values), then
 * merged in as `values.<k>` (flat) or `values: {<k>: ...}` (goTemplate).
 */
function appendTemplatedValues(
  values: Readonly<Record<string, string>>,
  params: GeneratorParams,
  useGoTemplate: boolean,
  goTemplateOptions: readonly string[],
): void {
  const tmp: GeneratorParams = {};
  for (const key of sortGo(Object.keys(values))) {
    let result: string;
    try {
      result = renderReplace(values[key] ?? '', params as TemplateParams, useGoTemplate, goTemplateOptions);
    } catch (err) {
      throw new Error(
        `failed to append templated values: failed to replace templated string: failed to replace templated string with rendered values: ${(err as Error).message}`,
      );
    }
    if (useGoTemplate) {
      const nested = (tmp['values'] ??= {}) as Record<string, string>;
      setOwn(nested, key, result);
    } else {
      setOwn(tmp, `values.${key}`, result);
    }
  }
  for (const [k, v] of Object.entries(tmp)) setOwn(params, k, v);
}

/** Port of GitGenerator.generateParamsFromGitFile. */
function generateParamsFromGitFile(
  filePath: string,
  content: string,
  input: FilesGeneratorInput,
): GeneratorParams[] {
  let objects: Record<string, JsonValue>[];
  try {
    objects = parseGitFileObjects(content);
  } catch (err) {
    throw new Error(`unable to parse file: ${(err as Error).message}`);
  }
  const dir = goPathDir(filePath);
  const filename = goPathBase(filePath);
  return objects.map((object) => {
    const params: GeneratorParams = {};
    if (input.goTemplate) {
      for (const [k, v] of Object.entries(object)) setOwn(params, k, v);
      addNestedPathParams(params, input.pathParamPrefix, dir, filename);
    } else {
      // fmt.Sprintf("%v", v) of each flattened value.
      for (const [k, v] of flattenDot(object)) setOwn(params, k, formatGoValue(v));
      const name = input.pathParamPrefix !== '' ? `${input.pathParamPrefix}.path` : 'path';
      addFlatPathParams(params, name, dir, filename);
    }
    appendTemplatedValues(input.values, params, input.goTemplate, input.goTemplateOptions ?? []);
    return params;
  });
}

/**
 * What the repo server's GetGitFiles returns for one pattern ("" means ".").
 * A matched path that is not a file (new globbing can match directories and
 * the root) makes the repo server fail reading it, as in ArgoCD.
 */
function getGitFiles(input: FilesGeneratorInput, pattern: string): Map<string, string> {
  const gitPath = pattern === '' ? '.' : pattern;
  const where = `repo ${input.repoURL ?? ''} with revision ${input.revision ?? ''} pattern ${gitPath}`;
  const prefix = 'error retrieving Git files: rpc error: code = Internal desc =';
  let listed: string[];
  try {
    listed = lsFiles(Object.keys(input.repoFiles), gitPath, input.newGlobbing ?? false);
  } catch (err) {
    throw new Error(`${prefix} unable to list files. ${where}: ${(err as Error).message}`);
  }
  const files = new Map<string, string>();
  for (const path of listed) {
    if (!hasOwn(input.repoFiles, path)) throw new Error(`${prefix} unable to read files. ${where}: read ${path}: is a directory`);
    files.set(path, input.repoFiles[path] ?? '');
  }
  return files;
}

function ensureNotEmpty(patterns: readonly GitPathPattern[]): void {
  // GenerateParams: neither directories nor files -> ErrEmptyAppSetGenerator.
  if (patterns.length === 0) throw new Error('generator is empty');
}

/**
 * Port of GitGenerator.GenerateParams for `files:` (generateParamsForGitFiles):
 * union of the include patterns' files minus every exclude pattern's files,
 * processed in sorted path order; each file yields one param set per object.
 * Errors carry ArgoCD's wording ("error generating params from git: ...").
 */
export function filesGeneratorParams(input: FilesGeneratorInput): GeneratorParams[] {
  ensureNotEmpty(input.patterns);
  try {
    const contents = new Map<string, string>();
    for (const p of input.patterns.filter((x) => !x.exclude)) {
      for (const [path, content] of getGitFiles(input, p.path)) contents.set(path, content);
    }
    for (const p of input.patterns.filter((x) => x.exclude)) {
      for (const path of getGitFiles(input, p.path).keys()) contents.delete(path);
    }
    const all: GeneratorParams[] = [];
    for (const path of sortGo(contents.keys())) {
      try {
        all.push(...generateParamsFromGitFile(path, contents.get(path) ?? '', input));
      } catch (err) {
        throw new Error(`unable to process file '${path}' from repository '${input.repoURL ?? ''}': ${(err as Error).message}`);
      }
    }
    return all;
  } catch (err) {
    throw new Error(`error generating params from git: ${(err as Error).message}`);
  }
}

/**
 * Port of GitGenerator.filterApps: a directory is kept when some include
 * pattern matches it (Go path.Match, `*` never crosses "/") and no exclude
 * pattern does, whatever the pattern order. Malformed patterns are skipped
 * (ArgoCD logs and continues). Order of repoDirs is preserved.
 */
export function filterApps(patterns: readonly GitPathPattern[], repoDirs: readonly string[]): string[] {
  return repoDirs.filter((appPath) => {
    let include = false;
    let exclude = false;
    for (const requested of patterns) {
      let match: boolean;
      try {
        match = goPathMatch(requested.path, appPath);
      } catch {
        continue;
      }
      if (match && !requested.exclude) include = true;
      if (match && requested.exclude) exclude = true;
    }
    return include && !exclude;
  });
}

/** Port of GitGenerator.GenerateParams for `directories:` (filterApps + generateParamsFromApps). */
export function directoriesGeneratorParams(input: DirectoriesGeneratorInput): GeneratorParams[] {
  ensureNotEmpty(input.patterns);
  return filterApps(input.patterns, input.repoDirs).map((app) => {
    const params: GeneratorParams = {};
    if (input.goTemplate) {
      addNestedPathParams(params, input.pathParamPrefix, app);
    } else {
      const name = input.pathParamPrefix !== '' ? `${input.pathParamPrefix}.path` : 'path';
      addFlatPathParams(params, name, app);
    }
    try {
      appendTemplatedValues(input.values, params, input.goTemplate, input.goTemplateOptions ?? []);
    } catch (err) {
      throw new Error(`error generating params from git: error generating params from apps: ${(err as Error).message}`);
    }
    return params;
  });
}

/**
 * What the repo server's GetGitDirectories returns for a checkout containing
 * `repoFiles`: every directory (not the root), in filepath.WalkDir order
 * (pre-order, entries sorted by name — so "a", "a/b", "a-c"), skipping hidden
 * directories and everything below them unless includeHiddenDirectories.
 */
export function repoDirectories(repoFiles: readonly string[], includeHiddenDirectories = false): string[] {
  interface DirNode {
    readonly children: Map<string, DirNode>;
  }
  const root: DirNode = { children: new Map() };
  for (const file of repoFiles) {
    let node = root;
    const parts = file.split('/').slice(0, -1);
    for (const part of parts) {
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
  }
  const out: string[] = [];
  const walk = (node: DirNode, prefix: string): void => {
    for (const name of sortGo(node.children.keys())) {
      if (!includeHiddenDirectories && name.startsWith('.')) continue;
      const path = prefix === '' ? name : `${prefix}/${name}`;
      out.push(path);
      const child = node.children.get(name);
      if (child) walk(child, path);
    }
  };
  walk(root, '');
  return out;
}

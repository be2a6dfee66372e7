/**
 * Port of Go's path.Match (golang/go src/path/match.go: Match, scanChunk,
 * matchChunk, getEsc; ErrBadPattern). ArgoCD's directories generator keeps a
 * directory when `path.Match(requestedPath.Path, appPath)` matches
 * (applicationset/generators/git.go filterApps at argoproj/argo-cd
 * 37ee0097cf851bc2dd7665fc081bbce61a7e836e), and the AppProject resource
 * allow/deny lists (isResourceInList) match kinds with filepath.Match, which
 * is the same algorithm with the OS separator, i.e. this one on Linux.
 *
 * Works on UTF-8 bytes like Go, so `?` and `[...]` consume one rune and
 * `*` never crosses "/".
 */
import { decodeRune, RUNE_ERROR } from './go-utf8.js';
import { SLASH, STAR, QUESTION, LBRACKET, RBRACKET, BACKSLASH, CARET, DASH } from './ascii.js';

const utf8 = new TextEncoder();

/**
 * path.ErrBadPattern ("syntax error in pattern"). doublestar's ErrBadPattern
 * is this same error value, so doublestar.ts throws it too.
 */
export class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

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

/**
 * Port of bmatcuk/doublestar v4.10.0 (the version argoproj/argo-cd
 * 37ee0097cf851bc2dd7665fc081bbce61a7e836e pins in go.mod): match.go
 * (Match, doMatchWithSeparator, isZeroLengthPattern),
 * validate.go (ValidatePattern) and utils.go (SplitPattern and the
 * unescaped-index helpers), with '/' as the separator and case-sensitive.
 * ArgoCD's new git file globbing (applicationsetcontroller.enable.new.git.file.globbing)
 * lists files with doublestar.FilepathGlob, which matches with these.
 *
 * Unlike git wildmatch and path.Match: `*` stays within a segment, `/**\/`
 * spans zero or more directories, `{a,b}` are alternatives, and `[-]` /
 * `[x-]` are accepted like bash does.
 */
import { decodeRune } from './go-utf8.js';
import { BadPatternError } from './go-path-match.js';
import { SLASH, STAR, QUESTION, LBRACKET, RBRACKET, BACKSLASH, LBRACE, RBRACE, COMMA, BANG, CARET, DASH } from './ascii.js';

const utf8 = new TextEncoder();

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

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
function doublestarDoMatch(pattern: Uint8Array, name: Uint8Array, validate: boolean, state: DoublestarState, patIdx0: number, nameIdx0: number): boolean {
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

/**
 * doMatchWithSeparator with validate=false, for a pattern the caller has
 * validated already (as Glob does): the rest of the pattern is not checked
 * once a name fails to match, but a malformed construct that matching itself
 * runs into still throws (Go's MatchUnvalidated would return false there).
 */
export function doublestarMatchPrevalidated(pattern: string, name: string): boolean {
  const state = { dsPat: -1, dsName: -1, starPat: -1, starName: -1 };
  return doublestarDoMatch(utf8.encode(pattern), utf8.encode(name), false, state, 0, 0);
}

/** doublestar.ValidatePattern(s). */
export function doublestarValidatePattern(s: string): boolean {
  return doublestarValidate(utf8.encode(s));
}

/** doublestar utils.go SplitPattern: the glob part after the last literal dir. */
export function doublestarGlobPart(p: string): string {
  let splitIdx = -1;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '/') splitIdx = i;
    else if (c === '*' || c === '?' || c === '[' || c === '{') break;
  }
  return splitIdx >= 0 ? p.slice(splitIdx + 1) : p;
}

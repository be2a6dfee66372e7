/**
 * Port of git's wildmatch.c `dowild` (git/git wildmatch.c, checked against
 * git/git@022e914848a7da1334d6599cc87dffb69fe249bb; the algorithm has been
 * stable across git 2.x). It is what `git ls-files -- <pattern>` runs for a
 * pathspec with wildcards, i.e. ArgoCD's legacy git files globbing
 * (util/git/client.go LsFiles at argoproj/argo-cd
 * 37ee0097cf851bc2dd7665fc081bbce61a7e836e); git-pathspec.ts decides when.
 *
 * 8-bit clean and byte-oriented, no WM_CASEFOLD (ArgoCD never sets
 * --icase-pathspecs). The text and pattern end at their array end, which
 * stands for C's NUL terminator.
 */

import { SLASH, STAR, QUESTION, LBRACKET, RBRACKET, BACKSLASH, BANG, CARET, DASH, COLON } from './ascii.js';

export const WM_MATCH = 0;
export const WM_NOMATCH = 1;
export const WM_ABORT_ALL = -1;
export const WM_ABORT_TO_STARSTAR = -2;

/** wildmatch.h WM_PATHNAME: `*` and `?` stop at "/", and `**\/` may match zero directories. */
export const WM_PATHNAME = 2;

/** git's sane_ctype GLOB_SPECIAL: `*?[\` */
export function isGlobSpecial(c: number): boolean {
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
export function dowild(p: Uint8Array, pi0: number, t: Uint8Array, ti0: number, pathname: boolean): number {
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
          else if ((prevP < 0 || at(p, prevP) === SLASH) && (at(p, pi) === 0 || at(p, pi) === SLASH || (at(p, pi) === BACKSLASH && at(p, pi + 1) === SLASH))) {
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

/** wildmatch(pattern, text, flags) === WM_MATCH. */
export function wildmatch(pattern: string, text: string, flags = 0): boolean {
  const enc = new TextEncoder();
  return dowild(enc.encode(pattern), 0, enc.encode(text), 0, (flags & WM_PATHNAME) !== 0) === WM_MATCH;
}

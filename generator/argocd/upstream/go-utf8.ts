/**
 * Port of Go's unicode/utf8 DecodeRune (golang/go src/unicode/utf8/utf8.go),
 * the rune decoding the byte-oriented matchers (path.Match, doublestar) use.
 *
 * Simplification: overlong forms and surrogates are not rejected. The
 * matchers only see TextEncoder output (always valid UTF-8), where Go and
 * this port agree; truncated and stray continuation bytes still decode to
 * (RuneError, 1) as in Go, so a malformed pattern fails the same way.
 */

export const RUNE_ERROR = 0xfffd;

/** utf8.DecodeRune(b[i:]); returns [rune, size]; [RUNE_ERROR, 0] at the end. */
export function decodeRune(b: Uint8Array, i: number): [number, number] {
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

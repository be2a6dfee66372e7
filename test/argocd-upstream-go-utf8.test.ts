/**
 * Go unicode/utf8 DecodeRune port (generator/argocd/upstream/go-utf8.ts):
 * the utf8map table of Go's src/unicode/utf8/utf8_test.go and TestDecodeRune's
 * checks that a truncated or corrupted sequence decodes to (RuneError, 1).
 */
import test from 'ava';

import { decodeRune, RUNE_ERROR } from '../generator/argocd/upstream/go-utf8.js';

// [rune, UTF-8 bytes as hex] — utf8_test.go utf8map.
const utf8map: [number, string][] = [
  [0x0000, '00'],
  [0x0001, '01'],
  [0x007e, '7e'],
  [0x007f, '7f'],
  [0x0080, 'c280'],
  [0x0081, 'c281'],
  [0x00bf, 'c2bf'],
  [0x00c0, 'c380'],
  [0x00c1, 'c381'],
  [0x00c8, 'c388'],
  [0x00d0, 'c390'],
  [0x00e0, 'c3a0'],
  [0x00ef, 'c3af'],
  [0x00f0, 'c3b0'],
  [0x00ff, 'c3bf'],
  [0x0100, 'c480'],
  [0x07ff, 'dfbf'],
  [0x0400, 'd080'],
  [0x0800, 'e0a080'],
  [0x0801, 'e0a081'],
  [0x1000, 'e18080'],
  [0xd000, 'ed8080'],
  [0xd7ff, 'ed9fbf'],
  [0xe000, 'ee8080'],
  [0xfffe, 'efbfbe'],
  [0xffff, 'efbfbf'],
  [0x10000, 'f0908080'],
  [0x10001, 'f0908081'],
  [0x40000, 'f1808080'],
  [0x10fffe, 'f48fbfbe'],
  [0x10ffff, 'f48fbfbf'],
  [0xfffd, 'efbfbd'],
];

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

test('DecodeRune: upstream utf8map, at the start and at an offset', (t) => {
  for (const [rune, hex] of utf8map) {
    const b = bytes(hex);
    t.deepEqual(decodeRune(b, 0), [rune, b.length], hex);
    t.deepEqual(decodeRune(bytes(`41${hex}`), 1), [rune, b.length], `A${hex}`);
  }
});

test('DecodeRune: missing and bad continuation bytes fail as (RuneError, 1)', (t) => {
  for (const [, hex] of utf8map) {
    const b = bytes(hex);
    if (b.length === 1) continue;
    t.deepEqual(decodeRune(b.subarray(0, b.length - 1), 0), [RUNE_ERROR, 1], `truncated ${hex}`);
    const bad = Uint8Array.from(b);
    bad[bad.length - 1] = 0x7f;
    t.deepEqual(decodeRune(bad, 0), [RUNE_ERROR, 1], `bad ${hex}`);
  }
  t.deepEqual(decodeRune(bytes('80'), 0), [RUNE_ERROR, 1]); // stray continuation byte
  t.deepEqual(decodeRune(bytes('f5808080'), 0), [RUNE_ERROR, 1]); // above U+10FFFF
  t.deepEqual(decodeRune(new Uint8Array(0), 0), [RUNE_ERROR, 0]);
});

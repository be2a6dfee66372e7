/**
 * Byte values of the pattern syntax the matcher ports share (wildmatch,
 * Go path.Match, doublestar): they all walk UTF-8 bytes, as their C and Go
 * originals do, and compare against these.
 */
const ch = (c: string): number => c.charCodeAt(0);

export const SLASH = ch('/');
export const STAR = ch('*');
export const QUESTION = ch('?');
export const LBRACKET = ch('[');
export const RBRACKET = ch(']');
export const BACKSLASH = ch('\\');
export const LBRACE = ch('{');
export const RBRACE = ch('}');
export const COMMA = ch(',');
export const BANG = ch('!');
export const CARET = ch('^');
export const DASH = ch('-');
export const COLON = ch(':');

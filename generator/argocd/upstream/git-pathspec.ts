/**
 * Port of git's pathspec matching as `git ls-files --full-name -z -- <pattern>`
 * applies it to one plain pathspec at the repo root (git/git path.c
 * normalize_path_copy_len, dir.c simple_length / match_pathspec_item /
 * git_fnmatch; checked against git/git@022e914848a7da1334d6599cc87dffb69fe249bb).
 * ArgoCD's legacy git files globbing runs exactly that command
 * (util/git/client.go LsFiles at argoproj/argo-cd
 * 37ee0097cf851bc2dd7665fc081bbce61a7e836e), which is why `a/*.yaml` also
 * matches `a/b/c.yaml` there: the wildcard part goes to wildmatch without
 * WM_PATHNAME.
 */
import { compareGoStrings } from '../fasttemplate.js';
import { dowild, isGlobSpecial, WM_MATCH } from './wildmatch.js';

const utf8 = new TextEncoder();
const SLASH = '/'.charCodeAt(0);

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

/**
 * `git ls-files --full-name -z -- <pattern>` run at the root over the
 * committed files, in git's (byte, i.e. Go string) order. Throws git's fatal
 * error for an empty pattern or one leaving the repository.
 */
export function gitLsFiles(repoFiles: readonly string[], pattern: string): string[] {
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
  return repoFiles.filter((f) => matchPathspecItem(match, utf8.encode(f))).sort(compareGoStrings);
}

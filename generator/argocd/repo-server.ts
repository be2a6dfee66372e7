/**
 * What ArgoCD's repo server hands the git generator, over an in-memory list
 * of committed files (argoproj/argo-cd 37ee0097cf851bc2dd7665fc081bbce61a7e836e):
 *
 * - util/git/client.go `nativeGitClient.LsFiles`, which GetGitFiles calls:
 *   legacy `git ls-files` pathspec matching (upstream/git-pathspec.ts) or,
 *   with new globbing, doublestar.FilepathGlob (upstream/doublestar.ts);
 * - reposerver/repository GetGitDirectories: the directories of the checkout.
 *
 * Kept apart from git-generator.ts because it models the checkout on disk,
 * not the generator's parameter logic.
 */
import { compareGoStrings } from './fasttemplate.js';
import { doublestarGlobPart, doublestarMatchPrevalidated, doublestarValidatePattern } from './upstream/doublestar.js';
import { gitLsFiles } from './upstream/git-pathspec.js';
import { BadPatternError } from './upstream/go-path-match.js';

function sortGo(paths: Iterable<string>): string[] {
  return [...paths].sort(compareGoStrings);
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
  if (!doublestarValidatePattern(doublestarGlobPart(`/${rel}`))) throw new BadPatternError();
  const matches = pathsOnDisk(repoFiles).filter((p) => doublestarMatchPrevalidated(rel, p));
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

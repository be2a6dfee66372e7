/**
 * Port of Go's path package, path.go (golang/go src/path/path.go): Clean,
 * Dir and Base, lexical and '/'-separated. ArgoCD's git generator builds the
 * `path`, `path.basename` and `path.filename` parameters with path.Dir and
 * path.Base (applicationset/generators/git.go at argoproj/argo-cd
 * 37ee0097cf851bc2dd7665fc081bbce61a7e836e), so these must agree with Go,
 * e.g. a file at the repo root has the directory "." and not "".
 */

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

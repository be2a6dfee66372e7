/**
 * ArgoCD's glob matching for AppProjects (argoproj/argo-cd
 * 37ee0097cf851bc2dd7665fc081bbce61a7e836e): util/glob/glob.go Match and
 * pkg/apis/application/v1alpha1/app_project_types.go globMatch /
 * isDenyPattern, on top of the gobwas/glob port in upstream/gobwas-glob.ts.
 */
import { compileGlob } from './upstream/gobwas-glob.js';

// compileGlob used to live here; the AppProject tests still import it from this module.
export { compileGlob } from './upstream/gobwas-glob.js';

/** ArgoCD util/glob.Match: false when the pattern does not compile. */
export function globMatchText(pattern: string, text: string, separators = ''): boolean {
  return compileGlob(pattern, separators)?.test(text) ?? false;
}

/** app_project_types.go isDenyPattern */
export function isDenyPattern(pattern: string): boolean {
  return pattern.startsWith('!');
}

/** app_project_types.go globMatch(pattern, val, allowNegation, separators...) */
export function projectGlobMatch(pattern: string, val: string, allowNegation: boolean, separators = ''): boolean {
  if (allowNegation && isDenyPattern(pattern)) return !globMatchText(pattern.slice(1), val, separators);
  if (pattern === '*') return true;
  return globMatchText(pattern, val, separators);
}

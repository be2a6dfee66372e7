import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { assetPath } from '../paths.js';

/**
 * Handlebars renders prose only (commit messages, READMEs, PR bodies), never
 * ArgoCD objects: those carry ArgoCD's own {{ }} placeholders.
 */
const hb = Handlebars.create();
hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));
hb.registerHelper('names', (list: unknown) => (Array.isArray(list) ? nameList(list.map(String)) : ''));

/**
 * Names for a one-line summary (a commit subject, a PR title, the run's
 * first line): all of them when few, else the first ones and a count, so
 * a fleet render does not make a 20 KB subject line.
 */
export function nameList(names: string[], max = 8): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max - 1).join(', ')} and ${names.length - (max - 1)} more`;
}

const cache = new Map<string, Handlebars.TemplateDelegate>();

export function renderTemplate(name: string, context: object): string {
  let t = cache.get(name);
  if (!t) {
    // Plain text and Markdown: HTML escaping would corrupt paths and code.
    t = hb.compile(readFileSync(assetPath('templates', name), 'utf8'), { noEscape: true, strict: true });
    cache.set(name, t);
  }
  return t(context);
}

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { assetPath } from '../paths.js';

/**
 * Handlebars renders prose only (commit messages, READMEs, PR bodies), never
 * ArgoCD objects: those carry ArgoCD's own {{ }} placeholders.
 */
const hb = Handlebars.create();
hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));

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

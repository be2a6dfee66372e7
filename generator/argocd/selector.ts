/**
 * Port of ArgoCD's generator `selector` (argoproj/argo-cd
 * applicationset/utils/selector.go LabelSelectorAsSelector, a copy of
 * k8s.io/apimachinery's without restrictions on label values, and
 * applicationset/generators/generator_spec_processor.go Transform /
 * flattenParameters): a parameter set is kept when every requirement matches
 * its flattened form (`%v` of each leaf, nested keys joined with dots).
 */
import { formatGoValue } from './fasttemplate.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

type Op = 'in' | 'notin' | 'exists' | '!';
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export type Selector = (labels: Readonly<Record<string, string>>) => boolean;

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** k8s.io/apimachinery validation.IsQualifiedName; returns the problems. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN.test(prefix))
        errs.push(
          "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        );
    }
  } else {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !NAME.test(name)) {
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return errs;
}

function requirement(key: string, op: Op, values: string[]): Requirement {
  const errs = qualifiedNameErrors(key).map((e) => `key: Invalid value: ${JSON.stringify(key)}: ${e}`);
  if ((op === 'in' || op === 'notin') && values.length === 0) errs.push("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
  if ((op === 'exists' || op === '!') && values.length !== 0) errs.push('values: Invalid value: values set must be empty for exists and does not exist');
  if (errs.length > 0) throw new Error(errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
  return { key, op, values };
}

/**
 * LabelSelectorAsSelector. A null/undefined selector selects nothing, an empty
 * one everything (Transform only filters when the generator has a selector).
 * Throws `error parsing label selector: ...` like ArgoCD.
 */
export function labelSelector(ps: LabelSelector | null | undefined): Selector {
  if (ps === null || ps === undefined) return () => false;
  try {
    const reqs: Requirement[] = [];
    for (const [k, v] of Object.entries(ps.matchLabels ?? {})) reqs.push(requirement(k, 'in', [String(v)]));
    for (const e of ps.matchExpressions ?? []) {
      const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator as 'In'];
      if (!op) throw new Error(`${JSON.stringify(e.operator)} is not a valid pod selector operator`);
      reqs.push(requirement(e.key, op, [...(e.values ?? [])]));
    }
    return (labels) =>
      reqs.every((r) => {
        const has = Object.prototype.hasOwnProperty.call(labels, r.key);
        switch (r.op) {
          case 'in':
            return has && r.values.includes(labels[r.key]!);
          case 'notin':
            return !has || !r.values.includes(labels[r.key]!);
          case 'exists':
            return has;
          case '!':
            return !has;
        }
      });
  } catch (e) {
    throw new Error(`error parsing label selector: ${(e as Error).message}`);
  }
}

/**
 * generator_spec_processor.go flattenParameters: jeremywohl/flatten DotStyle
 * over the parameter set, every leaf formatted with `%v`. Empty maps and
 * slices vanish; slice elements get their index as a key segment.
 */
export function flattenParameters(params: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (prefix: string, value: unknown, top: boolean) => {
    const key = (k: string) => (top ? k : `${prefix}.${k}`);
    if (Array.isArray(value)) value.forEach((v, i) => place(key(String(i)), v));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) place(key(k), v);
  };
  const place = (k: string, v: unknown) => {
    if ((Array.isArray(v) && v.length > 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0)) walk(k, v, false);
    else if (Array.isArray(v) || (typeof v === 'object' && v !== null)) return;
    else out[k] = formatGoValue(v);
  };
  walk('', params, true);
  return out;
}

/**
 * Port of jeremywohl/flatten Flatten(nested, "", DotStyle) (flatten.go at
 * v1.0.2-0.20211013061545-07e4a09fb8e4, the version argoproj/argo-cd
 * 37ee0097cf851bc2dd7665fc081bbce61a7e836e pins). Without goTemplate the git
 * files generator flattens each parsed object with it, so `a: {b: 1}` is the
 * parameter `a.b` and list items are `list.0`, `list.1`, ...
 *
 * Empty maps and slices vanish (they have no leaves); scalars, null included,
 * are kept as they are for the caller's fmt.Sprintf("%v").
 */

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Flatten(nested, "", DotStyle): "a.b" / "a.0" keys, in the nested object's key order. */
export function flattenDot(nested: Readonly<Record<string, unknown>>): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  const walk = (value: unknown, key: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${key}.${i}`));
    else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) walk(v, `${key}.${k}`);
    else flat.set(key, value);
  };
  for (const [k, v] of Object.entries(nested)) walk(v, k);
  return flat;
}

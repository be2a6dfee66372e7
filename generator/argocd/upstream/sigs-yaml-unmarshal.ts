/**
 * Port of sigs.k8s.io/yaml v1.6.0 Unmarshal up to the JSON it hands
 * encoding/json (yaml.go yamlToJSONTarget / convertToJSONableObject), the
 * YAML reader of ArgoCD's git files generator (applicationset/generators/git.go
 * generateParamsFromGitFile at argoproj/argo-cd
 * 37ee0097cf851bc2dd7665fc081bbce61a7e836e). The YAML is decoded the way
 * go-yaml v2 does (go.yaml.in/yaml/v2 v2.4.4 in argo-cd's go.mod, the
 * continuation of gopkg.in/yaml.v2 v2.4.0: decode.go decoder.scalar, mapping,
 * merge; scalars via goyaml-v2-resolve.ts), then made JSON-able: map keys
 * become strings, numbers become float64 as encoding/json decodes them into
 * `any`.
 *
 * The yaml npm package only parses (failsafe schema, so every scalar keeps
 * its source text); every typing decision is go-yaml's.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, Scalar } from 'yaml';

import { formatGoFloat32, setOwn } from '../fasttemplate.js';
import { INT64_MAX, resolveTagged, shortTag, str, TAG_BINARY, TAG_MERGE, type YamlScalar } from './goyaml-v2-resolve.js';

/** go-yaml v2 decoder.scalar() for an `interface{}` target. */
function decodeScalar(node: Scalar): YamlScalar {
  // `source` is the scalar text before yaml's own tag resolution (which would
  // already turn !!timestamp / !!binary into Date / Uint8Array).
  const value = typeof node.source === 'string' ? node.source : node.value == null ? '' : String(node.value);
  const tag = node.tag ? shortTag(node.tag) : '';
  // Quoted and block scalars without a tag are plain strings ("!" counts as implicit).
  const implicit = node.type === Scalar.PLAIN || tag === '!';
  if (tag === '' && !implicit) return str(value);
  const [rtag, resolved] = resolveTagged(tag, value);
  if (rtag === TAG_BINARY) {
    const clean = value.replace(/[\r\n]/g, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) {
      throw new Error('yaml: !!binary value contains invalid base64 data');
    }
    return str(new TextDecoder().decode(Buffer.from(clean, 'base64')));
  }
  return resolved;
}

/** A JSON value as encoding/json decodes it into `any`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** json.Marshal of the scalar, then json.Unmarshal into `any` (numbers -> float64). */
function scalarToJson(s: YamlScalar): JsonValue {
  switch (s.kind) {
    case 'null':
      return null;
    case 'bool':
      return s.value;
    case 'int':
      return Number(s.value);
    case 'float':
      if (!Number.isFinite(s.value)) {
        throw new Error(`json: unsupported value: ${Number.isNaN(s.value) ? 'NaN' : s.value > 0 ? '+Inf' : '-Inf'}`);
      }
      return s.value;
    case 'str':
      return s.value;
  }
}

/** sigs.k8s.io/yaml convertToJSONableObject: map keys become strings. */
function scalarToKey(s: YamlScalar): string {
  switch (s.kind) {
    case 'str':
      return s.value;
    case 'bool':
      return s.value ? 'true' : 'false';
    case 'int':
      if (s.value > INT64_MAX) throw new Error(`unsupported map key of type: uint64, key: ${s.value}`);
      return s.value.toString();
    case 'float': {
      const f = formatGoFloat32(s.value);
      return f === '+Inf' ? '.inf' : f === '-Inf' ? '-.inf' : f === 'NaN' ? '.nan' : f;
    }
    case 'null':
      throw new Error('unsupported map key of type: %!s(<nil>), key: <nil>');
  }
}

const MAX_ALIAS_DEPTH = 1000;

class YamlToJson {
  constructor(private readonly doc: Document.Parsed) {}

  value(node: unknown, depth = 0): JsonValue {
    if (depth > MAX_ALIAS_DEPTH) throw new Error('yaml: document contains excessive aliasing');
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.value(node.resolve(this.doc), depth + 1);
    if (isScalar(node)) return scalarToJson(decodeScalar(node));
    if (isSeq(node)) return node.items.map((item) => this.value(item, depth + 1));
    if (isMap(node)) {
      const out: { [key: string]: JsonValue } = {};
      this.mapInto(node, out, depth + 1);
      return out;
    }
    throw new Error('yaml: unsupported node');
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private key(node: unknown): string {
    const key = this.deref(node);
    if (key === null || key === undefined) return scalarToKey({ kind: 'null' });
    if (isScalar(key)) return scalarToKey(decodeScalar(key));
    throw new Error('yaml: invalid map key: a mapping or sequence cannot be a key');
  }

  /** go-yaml v2 decoder.mapping: keys in order, later ones (and merges) overwrite. */
  private mapInto(node: unknown, out: { [key: string]: JsonValue }, depth: number): void {
    if (depth > MAX_ALIAS_DEPTH) throw new Error('yaml: document contains excessive aliasing');
    const map = this.deref(node);
    if (!isMap(map)) throw new Error('yaml: map merge requires map or sequence of maps as the value');
    for (const pair of map.items) {
      if (this.isMerge(pair.key)) {
        this.merge(pair.value, out, depth + 1);
        continue;
      }
      setOwn(out, this.key(pair.key), this.value(pair.value, depth + 1));
    }
  }

  private isMerge(node: unknown): boolean {
    if (!isScalar(node) || node.value !== '<<') return false;
    const tag = node.tag ? shortTag(node.tag) : '';
    return (node.type === Scalar.PLAIN && (tag === '' || tag === '!')) || tag === TAG_MERGE;
  }

  /** go-yaml v2 decoder.merge: a map, an alias to a map, or a sequence of those (earlier wins). */
  private merge(node: unknown, out: { [key: string]: JsonValue }, depth: number): void {
    if (isSeq(node)) {
      for (const item of [...node.items].reverse()) this.mapInto(item, out, depth);
      return;
    }
    this.mapInto(node, out, depth);
  }
}

/** Go's json type names used in UnmarshalTypeError. */
export function jsonKind(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

export function isJsonObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** YAML (first document only, like go-yaml v2 Unmarshal) -> JSON-able value. */
export function yamlToJson(content: string): JsonValue {
  const docs = parseAllDocuments(content, { schema: 'failsafe', uniqueKeys: false, strict: false, merge: false });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (!doc) return null; // empty stream: same as an empty document
  const firstError = doc.errors[0];
  if (firstError) throw new Error(`error converting YAML to JSON: yaml: ${firstError.message.split('\n')[0]}`);
  try {
    return new YamlToJson(doc).value(doc.contents);
  } catch (err) {
    throw new Error(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}

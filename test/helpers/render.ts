import { parse } from 'yaml';
import type { KubeObject } from '../../generator/charts/environment.js';
import { loadInput } from '../../generator/pipeline/input.js';
import { renderChecked } from '../../generator/pipeline/render.js';
import { ConfigRepoSnapshot } from '../../generator/pipeline/snapshot.js';
import type { RenderResult } from '../../generator/render/render.js';
import { credentialSource } from '../../generator/secrets/credentials.js';
import { projectRoot } from './workspace.js';

/** Renders the shipped environments in memory (no config repo). */
export async function renderShipped(envs: string[] = ['dev', 'stg', 'prod'], source = projectRoot): Promise<RenderResult> {
  const input = loadInput(source, envs, false);
  return renderChecked(input, ConfigRepoSnapshot.empty(), { environ: {} });
}

export { credentialSource };

export function objectsOf(result: RenderResult, env: string): KubeObject[] {
  return result.objects.filter((o) => o.path.startsWith(`envs/${env}/`)).map((o) => o.object);
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

export function parseYaml<T = unknown>(text: string): T {
  return parse(text) as T;
}

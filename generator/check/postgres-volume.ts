import { parse } from 'yaml';
import { isStatefulSetOf, majorOfTag, tagOfRef, upgradeStatefulSetName } from '../environment/postgres-upgrade.js';
import type { EmbeddedPostgres, EnvironmentSpec } from '../environment/types.js';
import type { ValidEnvironment } from '../environment/validate.js';
import type { InputProblem } from '../errors.js';
import { Layout } from '../repo/layout.js';

/**
 * No silent data loss on an embedded PostgreSQL (issue 13.5).
 *
 * The official images keep their data in different places by major version:
 * up to 17 PGDATA lives under /var/lib/postgresql/data, from 18 under
 * /var/lib/postgresql/<major>/docker, and the chart mounts the volume to
 * match (resolve.ts, `postgresPaths`). A StatefulSet whose volume is mounted
 * at another path, or read through another PGDATA, than the one its data was
 * written through finds no cluster and initdb's an empty one: the data is
 * still on the volume but nothing shows it, and a data directory is not
 * readable by another major anyway (pg_upgrade or dump/restore). So a change
 * between what the config repo runs and what is rendered now is refused when
 * the same volume would be used with another known major or data directory;
 * `postgres.majorUpgrade` (procedure new-volume) moves the data to a new
 * StatefulSet, hence a new claim, and is checked against what runs.
 *
 * "What runs" is the StatefulSet committed in the environment's folder of the
 * config repo, from the snapshot the run already read (`previous`).
 */

/** What an embedded PostgreSQL StatefulSet keeps its data on, as rendered. */
interface DataVolume {
  statefulSet: string;
  image: string;
  /** Undefined when the image names no major (a digest alone, `latest`). */
  major?: number;
  mountPath: string;
  pgdata?: string;
}

/** One rendered environment and its validated file (for locations). */
export interface RenderedEnvironment {
  env: ValidEnvironment;
  spec: EnvironmentSpec;
}

/**
 * Problems with the embedded PostgreSQL of each environment in `rendered`
 * against the config repo's `previous` files; `files`: the new render.
 */
export function postgresVolumeProblems(rendered: RenderedEnvironment[], previous: Map<string, string>, files: Map<string, string>): InputProblem[] {
  const problems: InputProblem[] = [];
  const statefulSetFiles = indexStatefulSetFiles(previous);
  for (const { env, spec } of rendered) {
    const pg = spec.postgres.embedded;
    if (!pg) continue;
    const dir = Layout.envManifests(spec.name);
    const next = renderedVolume(pg);
    // An unchanged StatefulSet file changes nothing on the volume (and costs no parse on a fleet).
    const own = [`${dir}/statefulset-${next.statefulSet}.yaml`, `${dir}/statefulset-${pg.namespace}-${next.statefulSet}.yaml`].find((p) => files.has(p));
    if (own !== undefined && previous.get(own) === files.get(own)) continue;
    const deployed = (statefulSetFiles().get(dir) ?? []).flatMap((p) => deployedVolume(previous.get(p)!, pg) ?? []);
    if (deployed.length === 0) continue; // a first render, or nothing gen-gitops can read: nothing runs on a volume we know
    const old = deployed.find((d) => d.statefulSet === next.statefulSet) ?? deployed[0]!;
    const problem = volumeProblem(env, spec, pg, old, next);
    if (problem) problems.push(problem);
  }
  return problems;
}

function renderedVolume(pg: EmbeddedPostgres): DataVolume {
  return { statefulSet: pg.statefulSet ?? pg.name, image: pg.image.ref, major: majorOfTag(pg.image.tag), mountPath: pg.dataMountPath, pgdata: pg.pgdata };
}

function volumeProblem(env: ValidEnvironment, spec: EnvironmentSpec, pg: EmbeddedPostgres, old: DataVolume, next: DataVolume): InputProblem | undefined {
  const where = `${pg.namespace}/${old.statefulSet}`;
  const upgrade = pg.majorUpgrade;
  if (old.statefulSet !== next.statefulSet) {
    if (upgrade) {
      // A new volume is safe whatever ran before; `from` is the operator's word that the
      // dump being restored is of what runs. Unknown (digest-only) majors cannot be compared.
      if (old.major === undefined || old.major === upgrade.from) return undefined;
      return {
        location: env.locate('/postgres/majorUpgrade/from'),
        field: 'postgres.majorUpgrade.from',
        message: `is ${upgrade.from}, but the config repo runs ${where} on PostgreSQL ${old.major} (${old.image})`,
        hint: `set from: ${old.major}, the major running now, once you hold a dump of it: ${steps(spec, pg, old, next)}`,
      };
    }
    // Only upgraded names differ from the plain one: going back to it would mount the StatefulSet's
    // claim from before the upgrade, not the volume that holds the data now.
    const waiting = env.value.postgres.majorUpgrade;
    const back = `the StatefulSet would be ${next.statefulSet} again and mount its claim from before the upgrade, data-${next.statefulSet}-0, instead of data-${old.statefulSet}-0, which holds the data now`;
    return waiting
      ? {
          location: env.locate('/postgres/image/tag'),
          field: 'postgres.image.tag',
          message: `is PostgreSQL ${next.major ?? '(no major in the tag)'}, not above postgres.majorUpgrade.from (${waiting.from}), but the config repo runs ${where} (${old.image}), the new volume of an earlier major upgrade: ${back}`,
          hint: `keep the image on major ${old.major ?? 'it runs now'} (going back a major needs a dump and restore too)`,
        }
      : {
          location: env.locate('/postgres'),
          field: 'postgres.majorUpgrade',
          message: `is missing, but the config repo runs ${where} (${old.image}), the new volume of an earlier major upgrade: without it ${back}`,
          hint: `keep the postgres.majorUpgrade setting (procedure: new-volume) that produced ${old.statefulSet} in the file for as long as that volume holds the data`,
        };
  }
  if (old.major !== undefined && next.major !== undefined && old.major !== next.major) {
    return {
      location: env.locate('/postgres/image/tag'),
      field: 'postgres.image.tag',
      message:
        `changes the embedded PostgreSQL ${where} from major ${old.major} (${old.image}, in the config repo) to major ${next.major} (${next.image}) on the same volume (claim data-${old.statefulSet}-0): ` +
        `PostgreSQL ${next.major} would look for its data in ${next.pgdata} (volume at ${next.mountPath}), not see the ${old.major} cluster in ${old.pgdata ?? old.mountPath} and initialise an empty one, ` +
        `so the data would silently disappear; a data directory is not readable across majors anyway (pg_upgrade or dump and restore)`,
      hint: `keep major ${old.major} (a ${old.major}.x tag; minor upgrades are fine), or upgrade onto a new volume: ${steps(spec, pg, old, { ...next, statefulSet: upgradeStatefulSetName(pg.name, next.major) }, true)}; or deploy ${next.major} as a new environment and restore the dump there`,
    };
  }
  // The major is unchanged or cannot be told apart (a digest alone names no version): the image keeps
  // its layout and nothing is refused, unless the data directory itself moves, which the rendered paths say.
  if (old.mountPath === next.mountPath && (old.pgdata === undefined || old.pgdata === next.pgdata)) return undefined;
  const known = (d: DataVolume) => (d.major === undefined ? 'no major in the image reference' : `major ${d.major}`);
  return {
    location: env.locate(pg.image.tag === undefined ? '/postgres/image/digest' : '/postgres/image/tag'),
    field: 'postgres.image',
    message:
      `moves the data directory of the embedded PostgreSQL ${where} on its existing volume (claim data-${old.statefulSet}-0) from ${old.pgdata ?? '?'} (volume at ${old.mountPath}; ${old.image}, ${known(old)}) ` +
      `to ${next.pgdata} (volume at ${next.mountPath}; ${next.image}, ${known(next)}): PostgreSQL would not see the existing cluster and would initialise an empty one`,
    hint:
      `the data directory follows the major named by postgres.image.tag (18 and later: /var/lib/postgresql/<major>/docker; otherwise, a digest alone included: /var/lib/postgresql/data/pgdata): ` +
      (old.major !== undefined
        ? `keep naming major ${old.major} in the tag (e.g. tag: "${tagOfRef(old.image)}", with the digest next to it to pin the image)`
        : `keep the image reference as it was (${old.image})`) +
      `; for a major upgrade, set postgres.majorUpgrade: { from: <the major running now>, procedure: new-volume } and restore a pg_dumpall dump into the new volume (README "PostgreSQL major upgrades")`,
  };
}

/** The safe procedure, with this environment's names, for hints. */
function steps(spec: EnvironmentSpec, pg: EmbeddedPostgres, old: DataVolume, next: DataVolume, withOption = false): string {
  const from = old.major ?? '<major>';
  const dump = `${spec.name}-pg${from}.sql`;
  return [
    `(1) while ${from} runs, dump it: kubectl -n ${pg.namespace} exec ${old.statefulSet}-0 -- pg_dumpall -U ${spec.postgres.user} --clean --if-exists > ${dump}`,
    withOption
      ? `(2) set postgres.majorUpgrade: { from: ${from}, procedure: new-volume } next to the new tag: PostgreSQL ${next.major} is rendered as StatefulSet ${next.statefulSet} on a new volume claim data-${next.statefulSet}-0, and the claim data-${old.statefulSet}-0 is left untouched`
      : `(2) render: PostgreSQL ${next.major ?? ''} comes up as StatefulSet ${next.statefulSet} on a new, empty claim data-${next.statefulSet}-0; data-${old.statefulSet}-0 is left untouched`,
    `(3) restore the dump into ${next.statefulSet}-0 with psql -d postgres (README "PostgreSQL major upgrades")`,
  ].join('; ');
}

/** Paths of StatefulSet files under each folder of `previous`, built on first use (one pass over a fleet). */
function indexStatefulSetFiles(previous: Map<string, string>): () => Map<string, string[]> {
  let index: Map<string, string[]> | undefined;
  return () => {
    if (!index) {
      index = new Map();
      for (const p of previous.keys()) {
        const slash = p.lastIndexOf('/');
        if (!p.startsWith('statefulset-', slash + 1) || !p.endsWith('.yaml')) continue;
        const dir = p.slice(0, slash);
        index.set(dir, [...(index.get(dir) ?? []), p]);
      }
      for (const paths of index.values()) paths.sort();
    }
    return index;
  };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as unknown[]).map(obj).filter((x): x is Obj => x !== undefined) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The data volume of a committed StatefulSet of this PostgreSQL (same
 * namespace, its name or an upgraded name of it), read from the image and
 * the mount of its claim. The image, not the `app.kubernetes.io/version`
 * label: for a digest-only image the label is the digest's first hex
 * characters, which may start with digits and would read as a major.
 * Undefined for anything else or a file it cannot read (hand-edited beyond
 * recognition: the render replaces it, as it replaces any hand edit).
 */
function deployedVolume(text: string, pg: EmbeddedPostgres): DataVolume | undefined {
  let o: Obj | undefined;
  try {
    o = obj(parse(text));
  } catch {
    return undefined;
  }
  const meta = obj(o?.metadata);
  const name = str(meta?.name);
  if (o?.kind !== 'StatefulSet' || !name || str(meta?.namespace) !== pg.namespace || !isStatefulSetOf(pg.name, name)) return undefined;
  const spec = obj(o.spec);
  const template = obj(spec?.template);
  if (str(obj(obj(template?.metadata)?.labels)?.['app.kubernetes.io/name']) !== 'postgresql') return undefined;
  const containers = list(obj(template?.spec)?.containers);
  const container = containers.find((c) => c.name === 'postgresql') ?? containers[0];
  const image = str(container?.image);
  const claims = new Set(list(spec?.volumeClaimTemplates).map((c) => str(obj(c.metadata)?.name)));
  const mountPath = str(list(container?.volumeMounts).find((m) => claims.has(str(m.name)))?.mountPath);
  if (!image || !mountPath) return undefined;
  const pgdata = str(list(container?.env).find((e) => e.name === 'PGDATA')?.value);
  return { statefulSet: name, image, major: majorOfTag(tagOfRef(image)), mountPath, pgdata };
}

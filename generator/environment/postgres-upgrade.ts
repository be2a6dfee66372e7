/**
 * PostgreSQL major versions and the volume an embedded PostgreSQL keeps its
 * data on. Pure, and imports nothing but types: validate.ts, spec.ts and the
 * config-repo guard (check/postgres-volume.ts) all use it, and validate.ts
 * cannot import resolve.ts (resolve.ts imports validate.ts).
 */

/**
 * Major version from a tag like `17.6`, `18-alpine`, `16.4-bookworm`;
 * undefined for `latest`, `alpine` or no tag (a digest alone says nothing
 * about the version). The same rule as resolve.ts's `postgresMajor`, which
 * picks the data directory, so what is checked is what is rendered.
 */
export function majorOfTag(tag: string | undefined): number | undefined {
  const m = /^(\d+)/.exec(tag ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The tag of an image reference as rendered (`repo:tag`, `host:5000/repo:tag@sha256:…`), if it has one. */
export function tagOfRef(ref: string): string | undefined {
  const name = ref.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  // A colon before the last slash is a registry port, not a tag.
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}

/**
 * The StatefulSet of a major upgrade onto a new volume: `<name>-pg<major>`.
 * A new name, not a new claim template name: a StatefulSet's
 * volumeClaimTemplates cannot be changed in place (the API server refuses the
 * update), and a new StatefulSet gets a new claim `data-<name>-pg<major>-0`,
 * so the old claim `data-<name>-0` is never mounted by the new major.
 */
export function upgradeStatefulSetName(name: string, major: number): string {
  return `${name}-pg${major}`;
}

/**
 * The StatefulSet `postgres.majorUpgrade` renders, or undefined while it
 * waits: it applies once the image's major is above `from`. Waiting lets an
 * operator put it into a stage's file before `promote` brings the new major
 * there; until then the output is exactly what it would be without it.
 */
export function upgradedStatefulSet(name: string, tag: string | undefined, upgrade: { from: number } | undefined): string | undefined {
  const major = majorOfTag(tag);
  return upgrade && major !== undefined && major > upgrade.from ? upgradeStatefulSetName(name, major) : undefined;
}

/** Matches the StatefulSet names `name` may have had: itself, or a new-volume upgrade of it. */
export function isStatefulSetOf(name: string, candidate: string): boolean {
  return candidate === name || (candidate.startsWith(`${name}-pg`) && /^\d+$/.test(candidate.slice(name.length + 3)));
}

/** StatefulSet and Service names are at most 52 characters (the controller-revision-hash label adds 11). */
export const MAX_STATEFULSET_NAME = 52;

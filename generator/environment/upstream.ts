import type { InputProblem, SourceLocation } from '../errors.js';
import type { ImageFields } from './types.js';

/**
 * What the upstream projects publish, as far as the rendered stack depends on
 * it. These are facts about the world, not about our code: when upstream
 * changes, this file and environments/defaults.yaml change together.
 */

/** The official MLflow images. Mirrors may carry their own builds, so only this name is refused outright. */
export const MLFLOW_REPOSITORY = 'ghcr.io/mlflow/mlflow';
/**
 * The first release with a `-full` image (mlflow/mlflow docker/README.md):
 * below it the tag was never published, so the pod would sit in ImagePullBackOff.
 */
export const FIRST_FULL_RELEASE = 'v3.9.0';
/** The MLflow tag environments/defaults.yaml ships (a test keeps the two equal). */
export const DEFAULT_MLFLOW_TAG = 'v3.17.2-full';

const RELEASE_TAG = /^v(\d+)\.(\d+)\.(\d+)(-full)?$/;

function releaseOf(tag: string): { version: number[]; full: boolean } | undefined {
  const m = RELEASE_TAG.exec(tag);
  return m ? { version: [Number(m[1]), Number(m[2]), Number(m[3])], full: m[4] !== undefined } : undefined;
}

/** Release order: numeric, component by component (3.10.0 comes after 3.9.0). */
function below(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

const FIRST_FULL = releaseOf(FIRST_FULL_RELEASE)!.version;

/** What `mlflow server` needs beyond the plain image, for the settings every rendered environment uses. */
const FULL_ONLY = 'psycopg2 (PostgreSQL backend), boto3 (S3 artifacts) and Flask-WTF (basic auth)';

export type Advice = Pick<InputProblem, 'message' | 'hint'>;

/**
 * Checks the MLflow image against what upstream publishes: `refused` for a
 * tag that does not exist, `warning` for an image that exists but cannot run
 * what gen-gitops renders. A digest decides what is pulled, so a pinned image
 * gets no warning and a digest-only one no advice at all.
 */
export function mlflowImageAdvice(image: ImageFields): { refused?: Advice; warning?: Advice } {
  const tag = image.tag;
  if (tag === undefined) return {};
  const ref = `${image.repository}:${tag}`;
  const release = releaseOf(tag);
  // Refused even with a digest: the tag is what people read (and the version label shows), and it names an image that never existed.
  if (image.repository === MLFLOW_REPOSITORY && release?.full && below(release.version, FIRST_FULL)) {
    return {
      refused: {
        message: `${ref} does not exist: the -full variant is published only from ${FIRST_FULL_RELEASE}`,
        hint: `use ${FIRST_FULL_RELEASE}-full (the nearest valid tag) or ${DEFAULT_MLFLOW_TAG} (the current default)`,
      },
    };
  }
  // Mirrors of the official repository carry the same two variants, so they get the same advice.
  if (/(^|\/)mlflow\/mlflow$/.test(image.repository) && !tag.endsWith('-full') && !image.digest) {
    const hasFullTwin = release !== undefined && !below(release.version, FIRST_FULL);
    return {
      warning: {
        message: `${ref} is the plain image: it lacks ${FULL_ONLY}`,
        hint: hasFullTwin
          ? `use ${tag}-full, the same release with those packages`
          : `the -full variant is published only from ${FIRST_FULL_RELEASE}: use ${DEFAULT_MLFLOW_TAG} (the current default), or an image built from this one with pip install psycopg2-binary boto3 Flask-WTF`,
      },
    };
  }
  return {};
}

/**
 * The minio/minio project stopped: maintenance mode in December 2025,
 * repository archived in April 2026, Docker Hub images removed in September
 * 2026; quay.io keeps its tags, frozen. Told once per run, naming every
 * environment concerned, because the advice is the same for all of them.
 */
export function embeddedMinioWarning(concerned: { name: string; at: SourceLocation }[]): InputProblem | undefined {
  const first = concerned[0];
  if (!first) return undefined;
  const sameAsFirst = (l: SourceLocation) => l.file === first.at.file && l.line === first.at.line && l.col === first.at.col;
  // Where the mode is set elsewhere than the first location, say where, so each one can be changed.
  const names = concerned.map((c) => (sameAsFirst(c.at) ? c.name : `${c.name} (${c.at.file}:${c.at.line}:${c.at.col})`));
  const several = concerned.length > 1;
  return {
    location: first.at,
    field: 'minio.mode',
    message:
      `environment${several ? 's' : ''} ${names.join(', ')} embed${several ? '' : 's'} MinIO, whose project is no longer maintained: ` +
      'minio/minio went into maintenance mode in December 2025 and was archived in April 2026, its Docker Hub images were removed in September 2026, ' +
      'and quay.io keeps only frozen tags (no further fixes)',
    hint: 'set minio.mode: external with minio.endpoint pointing at any maintained S3 service',
  };
}

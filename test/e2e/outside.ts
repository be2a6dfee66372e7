/**
 * "External" PostgreSQL and S3 for the external-services scenario: servers the
 * environment does not render, started by the harness as an Application of
 * its own in namespace `outside` (a managed database and a cloud object store
 * stand-in), reached by their own DNS names.
 *
 * Like a managed database, the application user has no CREATEDB: an
 * administrator creates the user, the tracking database and the basic-auth
 * database once (issue 13.7), with the password read from the environment by
 * psql's \getenv, never from arguments.
 */
import type { KObject } from './harness/objects.js';
import type { AppSync } from './plan.js';

export const OUTSIDE = 'outside';
export const DB_HOST = `db.${OUTSIDE}.svc.cluster.local`;
export const S3_ENDPOINT = `http://s3.${OUTSIDE}.svc.cluster.local:9000`;

export interface OutsideCredentials {
  readonly adminPassword: string;
  readonly appUser: string;
  readonly appPassword: string;
  readonly database: string;
  readonly authDatabase: string;
  readonly s3User: string;
  readonly s3Password: string;
  readonly bucket: string;
}

const restricted = (uid: number) => ({
  runAsUser: uid,
  runAsGroup: uid,
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
});

function statefulSet(name: string, image: string, env: unknown[], args: string[] | undefined, probe: unknown, port: number, mountPath: string, uid: number): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: OUTSIDE },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          securityContext: { fsGroup: uid },
          containers: [
            {
              name,
              image,
              env,
              ...(args ? { args } : {}),
              ports: [{ containerPort: port }],
              readinessProbe: probe,
              securityContext: restricted(uid),
              volumeMounts: [
                { name: 'data', mountPath },
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'run', mountPath: '/var/run/postgresql' },
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: {} },
            { name: 'run', emptyDir: {} },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

function service(name: string, port: number): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: OUTSIDE }, spec: { selector: { app: name }, ports: [{ port, targetPort: port }] } };
}

const secretRef = (key: string) => ({ valueFrom: { secretKeyRef: { name: 'outside-credentials', key } } });

function job(name: string, image: string, command: string[], env: unknown[], volumes: unknown[] = [], mounts: unknown[] = []): KObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: OUTSIDE, annotations: { 'argocd.argoproj.io/sync-wave': '1' } },
    spec: {
      backoffLimit: 4,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name, image, command, env, securityContext: restricted(1000), volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...mounts] }],
          volumes: [{ name: 'tmp', emptyDir: {} }, ...volumes],
        },
      },
    },
  };
}

const CREATE_BUCKET = [
  'import os, boto3',
  "s3 = boto3.client('s3', endpoint_url=os.environ['S3_ENDPOINT'], region_name='us-east-1')",
  "s3.create_bucket(Bucket=os.environ['BUCKET'])",
].join('\n');

const INIT_SQL = [
  '\\getenv app_password APP_PASSWORD',
  '\\getenv app_user APP_USER',
  '\\getenv db DATABASE',
  '\\getenv auth_db AUTH_DATABASE',
  'CREATE ROLE :"app_user" LOGIN NOCREATEDB NOCREATEROLE PASSWORD :\'app_password\';',
  'CREATE DATABASE :"db" OWNER :"app_user";',
  'CREATE DATABASE :"auth_db" OWNER :"app_user";',
].join('\n');

export function outsideApp(c: OutsideCredentials, images: { postgres: string; minio: string; mlflow: string }): { app: AppSync; preload: KObject[] } {
  const secret: KObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'outside-credentials', namespace: OUTSIDE },
    stringData: {
      POSTGRES_PASSWORD: c.adminPassword,
      APP_PASSWORD: c.appPassword,
      MINIO_ROOT_USER: c.s3User,
      MINIO_ROOT_PASSWORD: c.s3Password,
      PGPASSWORD: c.adminPassword,
    },
  };
  const objects: KObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: OUTSIDE, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db-init', namespace: OUTSIDE }, data: { 'init.sql': INIT_SQL } },
    statefulSet(
      'db',
      images.postgres,
      [
        { name: 'POSTGRES_USER', value: 'admin' },
        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
        { name: 'POSTGRES_PASSWORD', ...secretRef('POSTGRES_PASSWORD') },
      ],
      undefined,
      { exec: { command: ['pg_isready', '-h', '127.0.0.1', '-U', 'admin'] }, periodSeconds: 2 },
      5432,
      '/var/lib/postgresql/data',
      999,
    ),
    service('db', 5432),
    statefulSet(
      's3',
      images.minio,
      [
        { name: 'MINIO_ROOT_USER', ...secretRef('MINIO_ROOT_USER') },
        { name: 'MINIO_ROOT_PASSWORD', ...secretRef('MINIO_ROOT_PASSWORD') },
      ],
      ['server', '/data', '--address', ':9000'],
      { httpGet: { path: '/minio/health/ready', port: 9000 }, periodSeconds: 2 },
      9000,
      '/data',
      1000,
    ),
    service('s3', 9000),
    job(
      'db-init',
      images.postgres,
      ['psql', '-v', 'ON_ERROR_STOP=1', '-h', DB_HOST, '-U', 'admin', '-d', 'postgres', '-f', '/init/init.sql'],
      [
        { name: 'PGPASSWORD', ...secretRef('PGPASSWORD') },
        { name: 'APP_PASSWORD', ...secretRef('APP_PASSWORD') },
        { name: 'APP_USER', value: c.appUser },
        { name: 'DATABASE', value: c.database },
        { name: 'AUTH_DATABASE', value: c.authDatabase },
      ],
      [{ name: 'init', configMap: { name: 'db-init' } }],
      [{ name: 'init', mountPath: '/init' }],
    ),
    // The bucket an administrator creates on the object store (boto3 from the MLflow image's Python).
    job(
      'bucket',
      images.mlflow,
      ['python', '-c', CREATE_BUCKET],
      [
        { name: 'AWS_ACCESS_KEY_ID', ...secretRef('MINIO_ROOT_USER') },
        { name: 'AWS_SECRET_ACCESS_KEY', ...secretRef('MINIO_ROOT_PASSWORD') },
        { name: 'S3_ENDPOINT', value: S3_ENDPOINT },
        { name: 'BUCKET', value: c.bucket },
        { name: 'HOME', value: '/tmp' },
      ],
    ),
  ];
  return { app: { name: 'outside-services', objects: objects.filter((o) => o.kind !== 'Namespace') }, preload: [objects[0]!, secret] };
}

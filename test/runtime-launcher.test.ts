/**
 * Issue 13, items 2, 7 and 8, at the level of the rendered launcher (the e2e
 * runs them on real MLflow and PostgreSQL: scenarios "day 2" and "external
 * PostgreSQL (no CREATEDB)", and every scenario's command-line check).
 * The launcher is run here with python3 and stand-in modules, so its
 * decisions are exercised, not just its text.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAUNCHER } from '../generator/charts/launcher.js';
import { find, objectsOf, renderShipped } from './helpers/render.js';

type Any = any;

const rendered = renderShipped();

/** A folder with launch.py and the given stand-in modules, run with python3. */
function runLauncher(t: { teardown(fn: () => void): void }, modules: Record<string, string>, code: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'launch.py'), LAUNCHER);
  for (const [path, text] of Object.entries(modules)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return spawnSync('python3', ['-c', code], { cwd: dir, env: { PATH: process.env.PATH, PYTHONPATH: dir, ...env }, encoding: 'utf8' });
}

const DB_ENV = {
  MLFLOW_DB_USER: 'mlflow',
  MLFLOW_DB_PASSWORD: 'p@ss:w/rd',
  MLFLOW_DB_HOST: 'db',
  MLFLOW_DB_PORT: '5432',
  MLFLOW_DB_NAME: 'mlflow',
  MLFLOW_AUTH_DB_NAME: 'mlflow_auth',
};

test('issue 13.2: on an empty database the migration creates the initial schema; on an existing one it upgrades', (t) => {
  const stubs = {
    'sqlalchemy/__init__.py':
      'import os\nclass _I:\n    def get_table_names(self):\n        return os.environ["TABLES"].split(",") if os.environ["TABLES"] else []\ndef inspect(engine):\n    return _I()\n',
    'mlflow/__init__.py': '',
    'mlflow/store/__init__.py': '',
    'mlflow/store/db/__init__.py': '',
    'mlflow/store/db/utils.py':
      'class E:\n    def dispose(self): pass\ndef create_sqlalchemy_engine_with_retry(uri):\n    print("engine", uri.split("@")[1])\n    return E()\ndef _initialize_tables(e):\n    print("CALLED _initialize_tables")\ndef _upgrade_db(e):\n    print("CALLED _upgrade_db")\n',
  };
  const empty = runLauncher(t, stubs, 'import launch; launch.migrate_tracking_database()', { ...DB_ENV, TABLES: 'alembic_version' });
  t.is(empty.status, 0, empty.stderr);
  t.regex(empty.stdout, /CALLED _initialize_tables/);
  t.notRegex(empty.stdout, /CALLED _upgrade_db/);
  const existing = runLauncher(t, stubs, 'import launch; launch.migrate_tracking_database()', { ...DB_ENV, TABLES: 'alembic_version,experiments,runs,metrics' });
  t.is(existing.status, 0, existing.stderr);
  t.regex(existing.stdout, /CALLED _upgrade_db/);
  t.notRegex(existing.stdout, /CALLED _initialize_tables/);
  // The password reaches the engine percent-encoded.
  t.regex(existing.stdout, /engine db:5432\/mlflow/);
});

test('issue 13.7: a database user without CREATEDB is told which database to create and the exact SQL', (t) => {
  const stubs = {
    'psycopg2/__init__.py':
      'from . import errors\nclass _C:\n    def __enter__(self): return self\n    def __exit__(self, *a): return False\n    def execute(self, sql, args=None):\n        if sql.startswith("CREATE DATABASE"):\n            raise errors.InsufficientPrivilege("permission denied to create database")\n    def fetchone(self): return None\nclass _Conn:\n    autocommit = False\n    def cursor(self): return _C()\n    def close(self): pass\ndef connect(dsn): return _Conn()\n',
    'psycopg2/errors.py': 'class InsufficientPrivilege(Exception):\n    pass\n',
  };
  const r = runLauncher(t, stubs, 'import launch; launch.ensure_database("mlflow_auth")', DB_ENV);
  t.not(r.status, 0);
  t.regex(r.stderr, /basic-auth database "mlflow_auth" does not exist and user "mlflow" may not create it/);
  t.true(r.stderr.includes('CREATE DATABASE "mlflow_auth" OWNER "mlflow";'), r.stderr);
  t.false(r.stderr.includes(DB_ENV.MLFLOW_DB_PASSWORD));
});

test('issue 13.8: no credential or database URI in any rendered command line', async (t) => {
  for (const env of ['dev', 'stg', 'prod']) {
    const objects = objectsOf(await rendered, env);
    for (const kind of ['Deployment', 'Job', 'StatefulSet'] as const) {
      for (const o of objects.filter((x: Any) => x.kind === kind) as Any[]) {
        for (const c of [...o.spec.template.spec.containers, ...(o.spec.template.spec.initContainers ?? [])]) {
          const argv = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
          t.notRegex(
            argv,
            /postgresql(\+psycopg2)?:\/\/|@BACKEND_STORE_URI@|\$\((POSTGRES_PASSWORD|MLFLOW_DB_PASSWORD|MINIO_ROOT_PASSWORD|MLFLOW_AUTH_ADMIN_PASSWORD)\)/,
            `${env} ${kind}/${o.metadata.name} ${c.name}`,
          );
        }
      }
    }
    t.truthy(find(objects, 'Job', `mlflow-${env}-db-upgrade`));
  }
});

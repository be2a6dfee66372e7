/**
 * The small Python program MLflow's containers start through (mounted from
 * the ConfigMap). It exists because two things cannot be expressed with
 * Kubernetes env var expansion alone:
 *  - database URIs must carry the password percent-encoded, composed from the
 *    Secret at run time (never written into a manifest);
 *  - basic auth reads its admin password and database URI from an INI file.
 * It then exec's the command given as arguments, replacing @BACKEND_STORE_URI@
 * and @AUTH_DB_URI@, so the manifest still shows the exact mlflow command.
 */
export const LAUNCHER_FILE = 'launch.py';

export const LAUNCHER = `"""gen-gitops launcher: composes MLflow's database URIs and auth config, then runs the given command."""
import configparser
import os
import sys
import urllib.parse


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"gen-gitops launcher: environment variable {name} is not set")
    return value


def uri(database):
    quote = lambda v: urllib.parse.quote(v, safe="")
    url = "postgresql+psycopg2://%s:%s@%s:%s/%s" % (
        quote(env("MLFLOW_DB_USER")), quote(env("MLFLOW_DB_PASSWORD")),
        env("MLFLOW_DB_HOST"), env("MLFLOW_DB_PORT"), database)
    sslmode = os.environ.get("MLFLOW_DB_SSLMODE")
    return url + ("?sslmode=" + sslmode if sslmode else "")


def ensure_database(name):
    # The auth store needs its own database (sharing the tracking one breaks
    # both migration histories); create it on first start.
    import psycopg2
    conn = psycopg2.connect(uri(env("MLFLOW_DB_NAME")).replace("postgresql+psycopg2", "postgresql", 1))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute('CREATE DATABASE "%s"' % name.replace('"', '""'))
    conn.close()


def write_auth_config(path):
    # MLflow reads this file with configparser's interpolation: escape "%".
    escape = lambda v: v.replace("%", "%%")
    config = configparser.ConfigParser(interpolation=None)
    config["mlflow"] = {
        "default_permission": env("MLFLOW_AUTH_DEFAULT_PERMISSION"),
        "database_uri": escape(uri(env("MLFLOW_AUTH_DB_NAME"))),
        "admin_username": escape(env("MLFLOW_AUTH_ADMIN_USER")),
        "admin_password": escape(env("MLFLOW_AUTH_ADMIN_PASSWORD")),
        "authorization_function": "mlflow.server.auth:authenticate_request_basic_auth",
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        config.write(f)
    os.environ["MLFLOW_AUTH_CONFIG_PATH"] = path


def migrate_auth_database():
    from sqlalchemy import create_engine
    from mlflow.server.auth.db.utils import migrate
    engine = create_engine(uri(env("MLFLOW_AUTH_DB_NAME")))
    migrate(engine, "head")
    engine.dispose()


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--migrate-auth"]:
        ensure_database(env("MLFLOW_AUTH_DB_NAME"))
        migrate_auth_database()
        args = args[1:]
    else:
        write_auth_config(os.path.join(os.environ.get("TMPDIR", "/tmp"), "basic_auth.ini"))
    replace = {"@BACKEND_STORE_URI@": uri(env("MLFLOW_DB_NAME")), "@AUTH_DB_URI@": uri(env("MLFLOW_AUTH_DB_NAME"))}
    args = [replace.get(a, a) for a in args]
    os.execvp(args[0], args)
`;

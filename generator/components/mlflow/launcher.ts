/**
 * The small Python program MLflow's containers start through (mounted from
 * the ConfigMap). It exists because what MLflow needs cannot be expressed
 * with Kubernetes env var expansion alone:
 *  - database URIs must carry the password percent-encoded, composed from the
 *    Secret at run time (never written into a manifest) and handed to MLflow
 *    through the environment (MLFLOW_BACKEND_STORE_URI, read by `mlflow server`'s
 *    --backend-store-uri option) and a 0600 file, never through arguments: any
 *    process on the node can read another's command line (issue 13.8);
 *  - basic auth reads its admin password and database URI from an INI file;
 *  - migrations must work on an empty database with every accepted MLflow
 *    release: before mlflow/mlflow PR #23752 `mlflow db upgrade` fails there
 *    (its first revision alters `metrics` before the base tables exist), so
 *    `--migrate` does what the server itself does on first start
 *    (SqlAlchemyStore: create the initial schema, then upgrade) on an empty
 *    database, and exactly `mlflow db upgrade` (`_upgrade_db`) otherwise.
 *  - MLflow creates its admin only when missing, so `--migrate` (every sync)
 *    sets the admin's password to the Secret's: rotation works (issue 13.4);
 *  - the artifact bucket is created with boto3 (`--create-bucket`), which takes
 *    S3 credentials with any characters (mc's MC_HOST_<alias> URL could not).
 * Server mode then exec's the command given as arguments (the manifest shows
 * the exact `mlflow server` command).
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
            try:
                cur.execute('CREATE DATABASE "%s"' % name.replace('"', '""'))
            except psycopg2.errors.InsufficientPrivilege:
                # Managed PostgreSQL often gives the application user no CREATEDB.
                sys.exit(
                    'gen-gitops launcher: the basic-auth database "%s" does not exist and user "%s" may not create it. '
                    'Create it once as an administrator: CREATE DATABASE "%s" OWNER "%s";'
                    % (name, env("MLFLOW_DB_USER"), name.replace('"', '""'), env("MLFLOW_DB_USER").replace('"', '""')))
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


def sync_admin_password():
    # MLflow's create_admin_user only creates a missing admin: a rotated
    # MLFLOW_AUTH_ADMIN_PASSWORD would be ignored and the old one kept working.
    # Every sync runs this Job, so the Secret's value is the admin's password
    # after each one (a missing admin is created by the server at start).
    from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore
    store = SqlAlchemyStore()
    store.init_db(uri(env("MLFLOW_AUTH_DB_NAME")))
    user, password = env("MLFLOW_AUTH_ADMIN_USER"), env("MLFLOW_AUTH_ADMIN_PASSWORD")
    if store.has_user(user) and not store.authenticate_user(user, password):
        store.update_user(user, password=password)
        print("gen-gitops launcher: admin %s: password changed to the Secret's" % user, flush=True)
    store.engine.dispose()


def migrate_tracking_database():
    import sqlalchemy
    from mlflow.store.db import utils
    engine = utils.create_sqlalchemy_engine_with_retry(uri(env("MLFLOW_DB_NAME")))
    tables = [t for t in sqlalchemy.inspect(engine).get_table_names() if not t.startswith("alembic_")]
    if tables:
        print("gen-gitops launcher: upgrading the tracking database to the newest schema", flush=True)
        utils._upgrade_db(engine)
    else:
        # Empty database: initial schema first, as SqlAlchemyStore does on first start.
        print("gen-gitops launcher: empty tracking database: creating the schema", flush=True)
        utils._initialize_tables(engine)
    engine.dispose()
    print("gen-gitops launcher: tracking and basic-auth databases are at the newest schema", flush=True)


def create_bucket():
    # boto3 takes the credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY as they are.
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    bucket = urllib.parse.urlparse(env("MLFLOW_ARTIFACTS_DESTINATION")).netloc
    region = os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    style = os.environ.get("MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE") or "auto"
    s3 = boto3.client("s3", endpoint_url=env("MLFLOW_S3_ENDPOINT_URL"), region_name=region, config=Config(s3={"addressing_style": style}))
    try:
        s3.head_bucket(Bucket=bucket)
        print("gen-gitops launcher: bucket %s exists" % bucket, flush=True)
        return
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
    # us-east-1 is the one region S3 refuses as an explicit LocationConstraint.
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **extra)
    print("gen-gitops launcher: created private bucket %s" % bucket, flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--create-bucket"]:
        create_bucket()
        sys.exit(0)
    if args == ["--migrate"]:
        ensure_database(env("MLFLOW_AUTH_DB_NAME"))
        migrate_auth_database()
        sync_admin_password()
        migrate_tracking_database()
        sys.exit(0)
    write_auth_config(os.path.join(os.environ.get("TMPDIR", "/tmp"), "basic_auth.ini"))
    os.environ["MLFLOW_BACKEND_STORE_URI"] = uri(env("MLFLOW_DB_NAME"))
    os.execvp(args[0], args)
`;

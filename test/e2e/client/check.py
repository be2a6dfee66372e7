"""The e2e client: uses a synced environment as a person would, with the real
MLflow client, and reports each check as one JSON line on stdout.

Everything comes from the environment (never from arguments, which any process
on the node can read): MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME,
MLFLOW_TRACKING_PASSWORD, and for the bucket check E2E_S3_ENDPOINT,
E2E_S3_ACCESS_KEY, E2E_S3_SECRET_KEY, E2E_BUCKET. E2E_EXPERIMENT names the
experiment this step creates; E2E_EXPECT_EXPERIMENTS (a JSON list) names
experiments earlier steps created, which must still be there with their data.

The client itself never holds S3 credentials in its environment: artifacts go
through the tracking server (proxied artifact access), which is what is proved.
"""
import base64
import hashlib
import json
import os
import random
import sys
import tempfile
import traceback
import urllib.error
import urllib.request

ARTIFACT_SIZE = 5 * 1024 * 1024


def report(name, ok, detail=""):
    print(json.dumps({"check": name, "ok": bool(ok), "detail": str(detail)[:2000]}), flush=True)
    return ok


def check(name):
    def wrap(fn):
        def run(*args):
            try:
                result = fn(*args)
                return report(name, True, result or "")
            except Exception as e:  # noqa: BLE001 — every failure is reported, never raised
                tail = traceback.format_exc().strip().splitlines()[-1]
                return report(name, False, f"{type(e).__name__}: {e} ({tail})")
        return run
    return wrap


def http(url, headers=None, data=None):
    req = urllib.request.Request(url, headers=headers or {}, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def payload(seed):
    rng = random.Random(seed)
    return rng.randbytes(ARTIFACT_SIZE)


def main():
    uri = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
    experiment = os.environ["E2E_EXPERIMENT"]
    expected = json.loads(os.environ.get("E2E_EXPECT_EXPERIMENTS") or "[]")
    state = {}

    @check("GET /health without credentials answers 200")
    def health():
        status, body = http(uri + "/health")
        assert status == 200, f"HTTP {status}: {body[:200]!r}"
        return body.decode(errors="replace")[:40]

    @check("a tracking API call without credentials gets 401")
    def unauthenticated():
        status, body = http(uri + "/api/2.0/mlflow/experiments/search?max_results=1")
        assert status == 401, f"HTTP {status}: {body[:200]!r}"

    user = os.environ["MLFLOW_TRACKING_USERNAME"]
    auth = "Basic " + base64.b64encode(f"{user}:{os.environ['MLFLOW_TRACKING_PASSWORD']}".encode()).decode()
    node_port = uri.rsplit(":", 1)[1]
    service = os.environ["E2E_SERVICE_HOST"]
    search = uri + "/api/2.0/mlflow/experiments/search?max_results=1"

    @check("the Host names clients use are accepted: NodePort, port-forward, Service DNS")
    def allowed_hosts():
        for host in [f"localhost:{node_port}", f"127.0.0.1:{node_port}", "localhost:5000", f"{service}:5000", service]:
            status, body = http(search, {"Host": host, "Authorization": auth})
            assert status == 200, f"Host {host}: HTTP {status}: {body[:160]!r}"

    @check("a foreign Host is refused with 403, on the NodePort too (DNS-rebinding protection)")
    def forbidden_hosts():
        for host in ["evil.example.com", f"evil.example.com:{node_port}", f"{service}.evil.example.com:{node_port}"]:
            status, body = http(search, {"Host": host, "Authorization": auth})
            assert status == 403, f"Host {host}: HTTP {status}: {body[:160]!r}"

    @check("a write from a foreign Origin is refused; from the Service's origin it works")
    def origins():
        # /api/ is Origin-checked by every release with the security middleware (3.9.0 checks
        # only /api/; later releases also /ajax-api/, the UI's prefix), so this holds for all.
        create = uri + "/api/2.0/mlflow/experiments/create"
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        status, body = http(create, {**headers, "Origin": "http://evil.example.com"}, json.dumps({"name": experiment + "-evil"}).encode())
        assert status == 403, f"foreign Origin: HTTP {status}: {body[:160]!r}"
        origin = f"http://{service}:5000"
        status, body = http(create, {**headers, "Origin": origin}, json.dumps({"name": experiment + "-ui"}).encode())
        assert status == 200, f"Origin {origin}: HTTP {status}: {body[:160]!r}"

    import mlflow
    from mlflow.tracking import MlflowClient
    client = MlflowClient(tracking_uri=uri)

    @check("create an experiment and a run with params, metrics and a 5 MB artifact (proxied upload)")
    def log():
        exp_id = client.create_experiment(experiment)
        run = client.create_run(exp_id)
        client.log_param(run.info.run_id, "alpha", "0.5")
        client.log_param(run.info.run_id, "scenario", experiment)
        for step in range(3):
            client.log_metric(run.info.run_id, "loss", 1.0 / (step + 1), step=step)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.bin")
            with open(path, "wb") as f:
                f.write(payload(experiment))
            client.log_artifact(run.info.run_id, path)
        client.set_terminated(run.info.run_id)
        state["run_id"] = run.info.run_id
        state["artifact_uri"] = run.info.artifact_uri
        return f"run {run.info.run_id} artifact_uri {run.info.artifact_uri}"

    @check("read the run back: params and metrics as logged")
    def read_back():
        run = client.get_run(state["run_id"])
        assert run.data.params == {"alpha": "0.5", "scenario": experiment}, run.data.params
        history = client.get_metric_history(state["run_id"], "loss")
        assert [round(m.value, 6) for m in sorted(history, key=lambda m: m.step)] == [1.0, 0.5, 0.333333], history

    @check("download the artifact byte-identical")
    def download():
        with tempfile.TemporaryDirectory() as d:
            local = client.download_artifacts(state["run_id"], "model.bin", d)
            with open(local, "rb") as f:
                got = f.read()
        want = payload(experiment)
        assert hashlib.sha256(got).hexdigest() == hashlib.sha256(want).hexdigest(), f"{len(got)} bytes, sha differs"
        return f"{len(got)} bytes"

    @check("the artifact is in the bucket, read through the S3 API")
    def in_bucket():
        import boto3
        from botocore.config import Config
        s3 = boto3.client(
            "s3",
            endpoint_url=os.environ["E2E_S3_ENDPOINT"],
            aws_access_key_id=os.environ["E2E_S3_ACCESS_KEY"],
            aws_secret_access_key=os.environ["E2E_S3_SECRET_KEY"],
            region_name=os.environ.get("E2E_S3_REGION", "us-east-1"),
            config=Config(s3={"addressing_style": "path"}),
        )
        bucket = os.environ["E2E_BUCKET"]
        keys = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys += [o["Key"] for o in page.get("Contents", [])]
        mine = [k for k in keys if state["run_id"] in k and k.endswith("model.bin")]
        assert mine, f"no object for run {state['run_id']} among {len(keys)} keys: {keys[:5]}"
        body = s3.get_object(Bucket=bucket, Key=mine[0])["Body"].read()
        assert hashlib.sha256(body).digest() == hashlib.sha256(payload(experiment)).digest(), "object differs"
        return f"s3://{bucket}/{mine[0]}"

    @check("runs logged by earlier steps are still there")
    def earlier():
        for name in expected:
            exp = client.get_experiment_by_name(name)
            assert exp is not None, f"experiment {name} is gone"
            runs = client.search_runs([exp.experiment_id])
            assert runs and runs[0].data.params.get("scenario") == name, f"experiment {name}: runs {runs}"
        return ", ".join(expected) or "none expected"

    old_admin = os.environ.get("E2E_OLD_ADMIN_PASSWORD")

    @check("after rotation: the new admin password works, the old one gets 401")
    def rotated_admin():
        status, body = http(search, {"Authorization": auth})
        assert status == 200, f"new password: HTTP {status}: {body[:160]!r}"
        old = "Basic " + base64.b64encode(f"{user}:{old_admin}".encode()).decode()
        status, body = http(search, {"Authorization": old})
        assert status == 401, f"old password: HTTP {status}: {body[:160]!r}"

    @check("after rotation: PostgreSQL takes the new password and refuses the old one")
    def rotated_postgres():
        import psycopg2
        dsn = dict(host=os.environ["E2E_DB_HOST"], port=os.environ["E2E_DB_PORT"], user=os.environ["E2E_DB_USER"], dbname=os.environ["E2E_DB_NAME"], connect_timeout=10)
        psycopg2.connect(password=os.environ["E2E_DB_PASSWORD"], **dsn).close()
        try:
            psycopg2.connect(password=os.environ["E2E_OLD_DB_PASSWORD"], **dsn).close()
        except psycopg2.OperationalError as e:
            assert "password authentication failed" in str(e), e
        else:
            raise AssertionError("the old password still connects")

    @check("after rotation: S3 takes the new keys and refuses the old ones")
    def rotated_s3():
        import boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError
        def client(key, secret):
            return boto3.client("s3", endpoint_url=os.environ["E2E_S3_ENDPOINT"], aws_access_key_id=key, aws_secret_access_key=secret,
                                region_name=os.environ.get("E2E_S3_REGION", "us-east-1"), config=Config(s3={"addressing_style": "path"}))
        client(os.environ["E2E_S3_ACCESS_KEY"], os.environ["E2E_S3_SECRET_KEY"]).head_bucket(Bucket=os.environ["E2E_BUCKET"])
        try:
            client(os.environ["E2E_OLD_S3_ACCESS_KEY"], os.environ["E2E_OLD_S3_SECRET_KEY"]).head_bucket(Bucket=os.environ["E2E_BUCKET"])
        except ClientError as e:
            assert e.response["Error"]["Code"] in ("403", "InvalidAccessKeyId", "SignatureDoesNotMatch"), e
        else:
            raise AssertionError("the old keys still work")

    health()
    unauthenticated()
    if old_admin:
        rotated_admin()
        rotated_postgres()
        rotated_s3()
    allowed_hosts()
    forbidden_hosts()
    origins()
    if log():
        read_back()
        download()
        in_bucket()
    earlier()
    print(json.dumps({"info": f"mlflow client {mlflow.__version__}"}), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        report("client", False, f"{type(e).__name__}: {e}")
        sys.exit(1)

"""The evidence store: files kept in the database (the default) or in an S3-compatible object
store, kept only when their record commits, checked against their SHA-256 when served, older
files read from the legacy folder and copied in by `procure evidence migrate`, orphans removed
by `procure evidence gc`.

The S3 tests run against a real S3-compatible server: moto's server mode, started as a process
of its own on a free port (moto[server] is in the test extra, so they never skip).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
import requests
from sqlalchemy import delete, func, select, update

from procure import create_app
from procure.db import utcnow
from procure.disclosures.evidence_store import (
    DatabaseStore,
    evidence_store,
    parse_evidence_url,
)
from procure.disclosures.models import Evidence, EvidenceBlob
from procure.extensions import db
from procure.settings import SettingsError
from tests.conftest import PDF, IsolatedClient, run_cli, valid_document
from tests.worker_process import JOB_QUEUE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
PREFIX = "evidence"


# ---------------------------------------------------------------- helpers


def _draft(client, headers, vendor, period=("2025-01-01", "2025-12-31")) -> int:
    response = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": vendor.id, **valid_document(*period)},
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def _upload(client, headers, disclosure_id, name="audit.pdf", content=PDF):
    return client.post(
        f"/api/v1/disclosures/{disclosure_id}/evidence",
        headers=headers,
        data={
            "section": "wages",
            "level": "self_reported_documented",
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def _download(client, headers, evidence_id):
    return client.get(f"/api/v1/evidence/{evidence_id}/download", headers=headers)


def _count(model) -> int:
    db.session.commit()  # a fresh snapshot of what the requests committed
    return db.session.scalar(select(func.count()).select_from(model))


def _orphan_name(extension=".pdf") -> str:
    return uuid.uuid4().hex + extension


@pytest.fixture
def failing_audit(monkeypatch):
    """Make the upload's transaction fail after its file was stored: the audit record, written
    after the file and the row, raises. `stored` lists (stored name, whether the store held the
    file at that moment)."""
    from procure.disclosures import services

    stored: list[tuple[str, bool]] = []
    record = services.record_event

    def record_event(action, subject, **kwargs):
        if action != "evidence.upload":
            return record(action, subject, **kwargs)
        stored.append((subject.stored_name, evidence_store().get(subject.stored_name) == PDF))
        raise RuntimeError("the transaction fails after the file was stored")

    monkeypatch.setattr(services, "record_event", record_event)
    return stored


# ---------------------------------------------------------------- the database store (default)


def test_the_database_store_keeps_each_file_once_with_its_record(app, client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    response = _upload(client, headers, disclosure_id)
    assert response.status_code == 201, response.json
    evidence = db.session.get(Evidence, response.json["id"])
    blob = db.session.get(EvidenceBlob, evidence.stored_name)
    assert blob.content == PDF and blob.size == len(PDF) == 15
    assert blob.sha256 == evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert not (Path(app.instance_path) / "evidence").exists()  # no file on this host's disk
    download = _download(client, headers, evidence.id)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"

    # an amendment's record names the same file: it is kept once
    client.post(f"/api/v1/disclosures/{disclosure_id}/submit", headers=headers)
    amendment = client.post(f"/api/v1/disclosures/{disclosure_id}/amend", headers=headers).json
    copied = client.get(f"/api/v1/disclosures/{amendment['id']}/evidence", headers=headers).json
    assert _count(Evidence) == 2 and _count(EvidenceBlob) == 1
    assert _download(client, headers, copied[0]["id"]).data == PDF


def test_a_rolled_back_upload_leaves_no_blob(app, client, make_vendor, bearer, failing_audit):
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    response = _upload(client, headers, disclosure_id)
    assert response.status_code == 500
    [(name, was_stored)] = failing_audit
    assert was_stored  # the file was in the store before the transaction failed
    assert _count(Evidence) == 0 and _count(EvidenceBlob) == 0
    assert evidence_store().get(name) is None


def test_a_file_that_changed_or_went_missing_is_not_served(
    app, client, make_vendor, bearer, caplog
):
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    evidence_id = _upload(client, headers, disclosure_id).json["id"]
    evidence = db.session.get(Evidence, evidence_id)
    db.session.execute(
        update(EvidenceBlob)
        .where(EvidenceBlob.stored_name == evidence.stored_name)
        .values(content=b"%PDF-1.4\n% other bytes\n%%EOF\n")
    )
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="procure.disclosures.services"):
        changed = _download(client, headers, evidence_id)
    assert changed.status_code == 500 and b"other bytes" not in changed.data
    assert changed.json["message"] == (
        "The stored file does not match the SHA-256 recorded when it was uploaded, so it is "
        "not served. The error has been logged."
    )
    assert f"evidence {evidence_id}: the file {evidence.stored_name}" in caplog.text
    assert evidence.sha256 in caplog.text

    db.session.execute(delete(EvidenceBlob))
    db.session.commit()
    missing = _download(client, headers, evidence_id)
    assert missing.status_code == 500
    assert "missing from the evidence store" in missing.json["message"]


def test_files_of_earlier_versions_are_read_from_the_folder_and_migrated(
    app, client, make_vendor, bearer, migrated, tmp_path, monkeypatch
):
    """A deployment upgraded from the folder: its records name files in `evidence_dir` and
    none in the store. They are served from the folder, and `procure evidence migrate` copies
    them in (checking each SHA-256), deletes nothing, and copies nothing the second time."""
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    evidence_id = _upload(client, headers, disclosure_id).json["id"]
    name = db.session.get(Evidence, evidence_id).stored_name
    folder = Path(app.instance_path) / "evidence"  # the default evidence_dir
    folder.mkdir(parents=True)
    (folder / name).write_bytes(PDF)
    (folder / "0123456789abcdef0123456789abcdef.pdf").write_bytes(PDF)  # named by no record
    db.session.execute(delete(EvidenceBlob))
    db.session.commit()

    served = _download(client, headers, evidence_id)
    assert served.status_code == 200 and served.data == PDF

    first = run_cli(["evidence", "migrate"], tmp_path, monkeypatch, database_url=migrated)
    assert first.exit_code == 0, first.output
    assert f"copied {name} from the evidence folder {folder}" in first.output
    assert "1 copied, 0 already in the store, 0 missing or mismatched." in first.output
    assert "1 files in" in first.output and "named by no evidence record" in first.output
    db.session.commit()
    blob = db.session.get(EvidenceBlob, name)
    assert blob.content == PDF and blob.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (folder / name).read_bytes() == PDF  # nothing deleted

    again = run_cli(["evidence", "migrate"], tmp_path, monkeypatch, database_url=migrated)
    assert again.exit_code == 0, again.output
    assert "0 copied, 1 already in the store, 0 missing or mismatched." in again.output
    assert _count(EvidenceBlob) == 1

    # a record whose file differs from its SHA-256, and one whose file is nowhere
    tampered = _upload(client, headers, disclosure_id, "payroll.png", PNG).json
    lost = _upload(client, headers, disclosure_id, "lost.pdf", PDF).json
    for uploaded in (tampered, lost):
        stored_name = db.session.get(Evidence, uploaded["id"]).stored_name
        db.session.execute(delete(EvidenceBlob).where(EvidenceBlob.stored_name == stored_name))
        if uploaded is tampered:
            (folder / stored_name).write_bytes(PNG + b"changed")
    db.session.commit()
    problems = run_cli(["evidence", "migrate"], tmp_path, monkeypatch, database_url=migrated)
    assert problems.exit_code == 1
    assert "0 copied, 1 already in the store, 2 missing or mismatched." in problems.output
    assert ": mismatch: other bytes than recorded in the evidence folder" in problems.output
    assert ": missing: in none of the database (table evidence_blob)" in problems.output
    assert _count(EvidenceBlob) == 1  # nothing of other bytes was copied
    assert _download(client, headers, tampered["id"]).status_code == 500


def test_gc_removes_old_orphan_blobs_and_spares_recent_ones(
    app, client, make_vendor, bearer, migrated, tmp_path, monkeypatch
):
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    kept = db.session.get(Evidence, _upload(client, headers, disclosure_id).json["id"])
    old, recent = _orphan_name(), _orphan_name(".png")
    store = DatabaseStore()
    store.put(old, PDF)
    store.put(recent, PNG)
    db.session.flush()
    two_hours_ago = utcnow() - timedelta(hours=2)
    db.session.execute(  # the named file is as old as the old orphan: it stays all the same
        update(EvidenceBlob)
        .where(EvidenceBlob.stored_name.in_([old, kept.stored_name]))
        .values(created_at=two_hours_ago)
    )
    db.session.commit()

    dry = run_cli(["evidence", "gc", "--dry-run"], tmp_path, monkeypatch, database_url=migrated)
    assert dry.exit_code == 0, dry.output
    assert f"would remove {old} (15 bytes, stored " in dry.output
    assert "Would remove 1 orphans; kept 1 stored within the last 60 minutes." in dry.output
    assert _count(EvidenceBlob) == 3

    result = run_cli(["evidence", "gc"], tmp_path, monkeypatch, database_url=migrated)
    assert result.exit_code == 0, result.output
    assert f"removed {old} (15 bytes, stored " in result.output and recent not in result.output
    db.session.commit()
    assert sorted(db.session.scalars(select(EvidenceBlob.stored_name))) == sorted(
        [kept.stored_name, recent]
    )
    assert _download(client, headers, kept.id).data == PDF


# ---------------------------------------------------------------- an S3-compatible store


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3-compatible server as a process of its own on a free port of 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"moto's server exited ({process.returncode}): {log_path.read_text()}")
        try:
            urllib.request.urlopen(endpoint, timeout=2).close()
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"moto's server did not answer in 60 s: {log_path.read_text()}")
            time.sleep(0.1)
    yield endpoint
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Credentials for the test server, and nothing of this machine's AWS setup."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "procure-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "procure-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def bucket(s3_endpoint, aws_env):
    """A bucket of this test's own on the test server, and a client that reads it directly."""
    name = f"procure-test-{uuid.uuid4().hex[:12]}"
    s3 = boto3.session.Session().client("s3", endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket=name)
    return name, s3


def _keys(bucket) -> list[str]:
    name, s3 = bucket
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=name).get("Contents", ()))


@pytest.fixture
def s3_host(app, migrated, bucket, s3_endpoint, tmp_path):
    """Build a web host on the S3 store: an app of its own with its own instance folder, on the
    test database and the test bucket. The `app` fixture (the database store) empties the
    database after the test."""
    built = []

    def build(instance: str = "host-1", endpoint: str = s3_endpoint):
        host = create_app(
            {
                "database_url": migrated,
                "secret_key": "test-secret",
                "TESTING": True,
                "job_queue": JOB_QUEUE,
                "sign_in_per_address_per_minute": 100_000,
                "evidence_url": f"s3://{bucket[0]}/{PREFIX}/",
                "evidence_s3_endpoint_url": endpoint,
            },
            instance_path=str(tmp_path / instance),
        )
        host.test_client_class = IsolatedClient
        built.append(host)
        return host

    yield build
    for host in built:
        with host.app_context():
            db.engine.dispose()


@pytest.fixture
def s3_cli(app, monkeypatch, tmp_path, migrated, bucket, s3_endpoint):
    """Run `procure ARGS` on the S3 store, configured by the environment as in production, with
    the instance folder of the `app` fixture. (A command runs in the app context it finds: the
    app built here from the environment, not the `app` fixture's.)"""
    monkeypatch.setenv("PROCURE_EVIDENCE_URL", f"s3://{bucket[0]}/{PREFIX}")
    monkeypatch.setenv("PROCURE_EVIDENCE_S3_ENDPOINT_URL", s3_endpoint)
    host = create_app(
        {"database_url": migrated, "secret_key": "test-secret", "TESTING": True},
        instance_path=app.instance_path,
    )

    def run(*args: str):
        with host.app_context():
            return run_cli(list(args), tmp_path, monkeypatch, database_url=migrated)

    yield run
    with host.app_context():
        db.engine.dispose()


def test_s3_keeps_the_file_and_its_sha256_and_another_host_serves_it(
    app, make_vendor, bearer, bucket, s3_host
):
    vendor, user = make_vendor()
    headers = bearer(user)
    first = s3_host("host-1")
    client = first.test_client()
    disclosure_id = _draft(client, headers, vendor)
    response = _upload(client, headers, disclosure_id, "payroll summary.pdf")
    assert response.status_code == 201, response.json
    evidence = db.session.get(Evidence, response.json["id"])
    assert evidence.sha256 == response.json["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert _keys(bucket) == [f"{PREFIX}/{evidence.stored_name}"]
    stored = bucket[1].get_object(Bucket=bucket[0], Key=f"{PREFIX}/{evidence.stored_name}")
    assert stored["Body"].read() == PDF
    assert stored["Metadata"] == {"sha256": evidence.sha256}
    assert _count(EvidenceBlob) == 0  # nothing in the database
    assert not (Path(first.instance_path) / "evidence").exists()  # nor on the host's disk

    download = _download(client, headers, evidence.id)
    assert download.status_code == 200 and download.data == PDF
    assert "payroll_summary.pdf" in download.headers["Content-Disposition"]

    # a second web host: another app and instance folder, the same database and bucket
    second = s3_host("host-2")
    assert second.instance_path != first.instance_path
    served = _download(second.test_client(), headers, evidence.id)
    assert served.status_code == 200 and served.data == PDF


def test_s3_a_rolled_back_upload_leaves_no_object(
    app, make_vendor, bearer, bucket, s3_host, failing_audit
):
    vendor, user = make_vendor()
    headers = bearer(user)
    client = s3_host().test_client()
    disclosure_id = _draft(client, headers, vendor)
    response = _upload(client, headers, disclosure_id)
    assert response.status_code == 500
    [(name, was_stored)] = failing_audit
    assert was_stored  # uploaded to the bucket before the transaction failed
    assert _keys(bucket) == []
    assert _count(Evidence) == 0


def test_s3_an_object_that_changed_is_not_served(app, make_vendor, bearer, bucket, s3_host, caplog):
    vendor, user = make_vendor()
    headers = bearer(user)
    client = s3_host().test_client()
    disclosure_id = _draft(client, headers, vendor)
    evidence_id = _upload(client, headers, disclosure_id).json["id"]
    name = db.session.get(Evidence, evidence_id).stored_name
    bucket[1].put_object(Bucket=bucket[0], Key=f"{PREFIX}/{name}", Body=b"%PDF-1.4 swapped")
    with caplog.at_level(logging.ERROR, logger="procure.disclosures.services"):
        response = _download(client, headers, evidence_id)
    assert response.status_code == 500 and b"swapped" not in response.data
    assert "does not match the SHA-256" in response.json["message"]
    assert f"in s3://{bucket[0]}/{PREFIX} has SHA-256" in caplog.text


def test_s3_gc_removes_old_orphans_and_spares_recent_ones(
    app, make_vendor, bearer, bucket, s3_host, s3_cli, monkeypatch
):
    vendor, user = make_vendor()
    headers = bearer(user)
    client = s3_host().test_client()
    disclosure_id = _draft(client, headers, vendor)
    kept = db.session.get(Evidence, _upload(client, headers, disclosure_id).json["id"])
    name, s3 = bucket
    old, recent = _orphan_name(), _orphan_name(".csv")
    s3.put_object(Bucket=name, Key=f"{PREFIX}/{old}", Body=PDF)
    s3.put_object(Bucket=name, Key=f"{PREFIX}/notes.txt", Body=b"not an evidence file")
    s3.put_object(Bucket=name, Key=f"elsewhere/{_orphan_name()}", Body=PDF)  # another prefix
    time.sleep(3)  # S3 keeps times to the second: the old ones are 2 s or more older
    s3.put_object(Bucket=name, Key=f"{PREFIX}/{recent}", Body=b"a,b\n1,2\n")
    # The clock of both runs stands 1 s after the recent upload, however slow the machine: with
    # a grace of 2 s the cutoff falls 1 s before the recent orphan and 1 s or more after the old.
    stored = s3.head_object(Bucket=name, Key=f"{PREFIX}/{recent}")["LastModified"]
    monkeypatch.setattr("procure.db.utcnow", lambda: stored + timedelta(seconds=1))
    grace = str(2 / 60)
    before = _keys(bucket)

    dry = s3_cli("evidence", "gc", "--dry-run", "--grace-minutes", grace)
    assert dry.exit_code == 0, dry.output
    assert f"Evidence store: s3://{name}/{PREFIX}" in dry.output
    assert f"would remove {old} (15 bytes, stored " in dry.output
    assert "Would remove 1 orphans; kept 1 stored within the last 0.0333333 minutes." in (
        dry.output
    )
    assert _keys(bucket) == before

    result = s3_cli("evidence", "gc", "--grace-minutes", grace)
    assert result.exit_code == 0, result.output
    assert f"removed {old}" in result.output and "Removed 1 orphans;" in result.output
    assert _keys(bucket) == sorted(
        [
            f"{PREFIX}/{kept.stored_name}",
            f"{PREFIX}/{recent}",
            f"{PREFIX}/notes.txt",  # not a name the app generates: never taken for an orphan
            next(key for key in before if key.startswith("elsewhere/")),
        ]
    )
    assert _download(client, headers, kept.id).data == PDF


def test_s3_reads_older_files_from_the_database_and_folder_and_migrate_copies_them(
    app, client, make_vendor, bearer, bucket, s3_host, s3_cli
):
    """A deployment that switched to S3: files uploaded on the database store, and older ones
    in the evidence folder, are served before `procure evidence migrate` copies them in, and
    from the bucket after (a host without the folder serves them too)."""
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)  # the database store (the `app` fixture)
    in_database = _upload(client, headers, disclosure_id, "db.pdf").json["id"]
    in_folder = _upload(client, headers, disclosure_id, "old.png", PNG).json["id"]
    folder_name = db.session.get(Evidence, in_folder).stored_name
    host = s3_host("instance")  # the instance folder of `procure` below too
    assert host.instance_path == app.instance_path
    folder = Path(host.instance_path) / "evidence"
    folder.mkdir(parents=True)
    (folder / folder_name).write_bytes(PNG)
    db.session.execute(delete(EvidenceBlob).where(EvidenceBlob.stored_name == folder_name))
    db.session.commit()

    database_name = db.session.get(Evidence, in_database).stored_name
    s3_client = host.test_client()
    assert _download(s3_client, headers, in_database).data == PDF
    assert _download(s3_client, headers, in_folder).data == PNG
    assert _keys(bucket) == []

    first = s3_cli("evidence", "migrate")
    assert first.exit_code == 0, first.output
    assert "2 copied, 0 already in the store, 0 missing or mismatched." in first.output
    assert f"copied {database_name} from the database (table evidence_blob)" in first.output
    assert f"copied {folder_name} from the evidence folder {folder}" in first.output
    assert _keys(bucket) == sorted(f"{PREFIX}/{n}" for n in (database_name, folder_name))

    again = s3_cli("evidence", "migrate")
    assert "0 copied, 2 already in the store" in again.output and again.exit_code == 0
    other = s3_host("host-2").test_client()  # no folder, no fallback needed
    assert _download(other, headers, in_folder).data == PNG
    assert _download(other, headers, in_database).data == PDF


def test_s3_store_that_does_not_answer_saves_and_serves_nothing(
    app, client, make_vendor, bearer, s3_host
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens here once the probe is closed
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    in_database = _upload(client, headers, disclosure_id).json["id"]  # the database store
    unreachable = s3_host(endpoint=f"http://127.0.0.1:{closed}").test_client()
    response = _upload(unreachable, headers, disclosure_id, "second.pdf")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json["message"] == (
        "The evidence store is not available right now: the file could not be stored, and "
        "nothing was saved. Try again shortly."
    )
    assert _count(Evidence) == 1
    # the store is asked first: when it does not answer, no fallback stands in for it
    download = _download(unreachable, headers, in_database)
    assert download.status_code == 503 and download.data != PDF
    assert "the file could not be read" in download.json["message"]


# ---------------------------------------------------------------- settings


def test_evidence_url_is_read_and_a_bad_one_refuses_to_start(tmp_path):
    assert parse_evidence_url("") is None
    assert parse_evidence_url("s3://procure-files") == ("procure-files", "")
    assert parse_evidence_url("s3://procure-files/prod/evidence/") == (
        "procure-files",
        "prod/evidence",
    )
    for bad in ("/srv/evidence", "s3://", "s3://Bad_Bucket/x", "https://bucket/x", "s3://b/x?y"):
        with pytest.raises(SettingsError, match=r"^evidence_url: expected empty"):
            create_app({"evidence_url": bad, "secret_key": "x"}, instance_path=str(tmp_path))
    with pytest.raises(SettingsError, match=r"^evidence_s3_endpoint_url: expected empty"):
        create_app(
            {
                "evidence_url": "s3://procure-files",
                "evidence_s3_endpoint_url": "minio:9000",
                "secret_key": "x",
            },
            instance_path=str(tmp_path),
        )


# ---------------------------------------------------------------- two web processes

SERVE = (
    "import sys\n"
    "from werkzeug.serving import run_simple\n"
    "from procure import create_app\n"
    "run_simple('127.0.0.1', int(sys.argv[1]), create_app(), threaded=True)\n"
)


@pytest.fixture
def web_process(migrated, tmp_path):
    """Start a web process of its own, configured by the environment as in production, with
    its own instance folder; returns its base URL. Stopped after the test."""
    started = []

    def start(instance: str, **settings: str) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "PROCURE_DATABASE_URL": migrated,
            "PROCURE_SECRET_KEY": "test-secret",
            "PROCURE_INSTANCE_PATH": str(tmp_path / instance),
            **{f"PROCURE_{name.upper()}": value for name, value in settings.items()},
        }
        log = tmp_path / f"{instance}.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-c", SERVE, str(port)], env=env, stdout=output, stderr=output
            )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the web process exited: {log.read_text()}")
            try:
                urllib.request.urlopen(f"{base}/healthz/live", timeout=2).close()
                return base
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the web process did not answer in 60 s: {log.read_text()}")
                time.sleep(0.1)

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _upload_over_http(base, headers, disclosure_id, content):
    response = requests.post(
        f"{base}/api/v1/disclosures/{disclosure_id}/evidence",
        headers=headers,
        data={"section": "wages", "level": "self_reported_documented"},
        files={"file": ("payroll.pdf", content, "application/pdf")},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("backend", ["database", "s3"])
def test_two_web_processes_on_two_instance_folders_serve_the_same_evidence(
    request, client, make_vendor, bearer, web_process, tmp_path, backend
):
    settings = {}
    if backend == "s3":
        bucket = request.getfixturevalue("bucket")
        settings = {
            "evidence_url": f"s3://{bucket[0]}/{PREFIX}",
            "evidence_s3_endpoint_url": request.getfixturevalue("s3_endpoint"),
        }
    vendor, user = make_vendor()
    headers = bearer(user)
    disclosure_id = _draft(client, headers, vendor)
    first = web_process("host-1", **settings)
    second = web_process("host-2", **settings)
    stored = _upload_over_http(first, headers, disclosure_id, PDF)
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()
    for base in (second, first):
        served = requests.get(
            f"{base}/api/v1/evidence/{stored['id']}/download", headers=headers, timeout=30
        )
        assert served.status_code == 200 and served.content == PDF, served.text
    # neither host kept the file on its own disk
    assert not (tmp_path / "host-1" / "evidence").exists()
    assert not (tmp_path / "host-2" / "evidence").exists()

"""Vendor profile names are unique after Unicode normalisation in the database too (migration
0019): a name a parallel request took after this request's check is refused by the table's key,
as a 422 naming `name`, and nothing is saved; existing look-alike names get keys that keep both."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from procure import create_app
from procure.extensions import db
from procure.vendors import services
from procure.vendors.models import Vendor
from tests.app.test_tenancy_migration import NOW, _insert


def test_two_profiles_cannot_share_a_name_key_in_the_table(make_vendor):
    first, _ = make_vendor("Kazi Data Works")
    assert first.name_key == "kazi data works"
    second, _ = make_vendor("Other Works")
    second.name = "ＫＡＺＩ  Data Works"  # full-width letters and a double space
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_name_taken_by_a_parallel_request_is_refused_by_name(
    client, make_vendor, bearer, monkeypatch
):
    make_vendor("Kazi Data Works")
    other, user = make_vendor("Other Works")
    # the parallel request: its check ran before the first vendor was named, so it saw no clash
    monkeypatch.setattr(services, "vendor_name_errors", lambda fields, organization_id: {})
    answer = client.patch(
        f"/api/v1/vendors/{other.id}",
        headers=bearer(user),
        json={"name": "kazi data works", "version": other.version},
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["errors"] == {"name": ["Another vendor took this name a moment ago."]}
    db.session.expire_all()
    assert db.session.scalar(select(Vendor.name).where(Vendor.id == other.id)) == "Other Works"


def test_0019_keys_existing_names_and_goes_back_down(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'keys.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        upgrade(revision="0018_objective_in_hours")
        with db.engine.begin() as connection:
            for number, (name, org) in enumerate(
                (("Kazi Data Works", "Org A"), ("KAZI  data works", "Org B"), ("Straße", "Org C")),
                start=1,
            ):
                _insert(
                    connection,
                    "organization",
                    id=number,
                    name=org,
                    name_key=org.lower(),
                    kind="vendor",
                    created_at=NOW,
                    updated_at=NOW,
                )
                _insert(
                    connection,
                    "vendor",
                    id=number,
                    organization_id=number,
                    name=name,
                    country="KE",
                    description="",
                    service_categories="[]",
                    sites="[]",
                    version=1,
                    created_at=NOW,
                    updated_at=NOW,
                )
        upgrade(revision="0019_vendor_name_keys")
        with db.engine.connect() as connection:
            keys = dict(connection.execute(text("SELECT id, name_key FROM vendor")).all())
        # the look-alike both stay; the later one's key is marked with its id
        assert keys == {1: "kazi data works", 2: "kazi data works #2", 3: "strasse"}
        downgrade(revision="0018_objective_in_hours")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("vendor")}
        assert "name_key" not in columns
        db.engine.dispose()

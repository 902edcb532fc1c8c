"""Offboarding: an admin deactivates and reactivates its organization's users and revokes their
API tokens (API and page). Deactivating ends the user's sessions and tokens at once, and a
reactivation brings none of them back; an admin cannot deactivate itself or its organization's
last active admin. Each change is audited."""

import pytest
from sqlalchemy import select

from procure.accounts.models import ApiToken, User
from procure.accounts.services import deactivate_user
from procure.audit.models import AuditEvent
from procure.errors import ConflictError
from procure.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, post_sign_in, request_token


def _events(action: str) -> list[AuditEvent]:
    db.session.commit()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _reload(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def team(make_user, make_org):
    organization = make_org("buyer")
    return {
        "admin": make_user("admin", organization=organization),
        "leaver": make_user("buyer", organization=organization),
        "stranger": make_user("buyer"),  # of another organization
    }


def test_deactivating_ends_sessions_and_tokens_at_once_and_reactivating_brings_none_back(
    client, team, bearer, sign_in
):
    leaver = team["leaver"]
    headers = bearer(leaver)
    session = sign_in(client.application.test_client(), leaver)
    assert session.get("/").status_code == 200
    admin = bearer(team["admin"])
    done = client.post(f"/api/v1/users/{leaver.id}/deactivate", headers=admin)
    assert done.status_code == 200 and done.json["active"] is False
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert session.get("/").status_code == 302  # the session ended with it
    assert request_token(client, leaver.email, TEST_PASSWORD).status_code == 401
    again = client.post(f"/api/v1/users/{leaver.id}/deactivate", headers=admin)
    assert again.status_code == 409 and "already deactivated" in again.json["message"]
    back = client.post(f"/api/v1/users/{leaver.id}/reactivate", headers=admin)
    assert back.status_code == 200 and back.json["active"] is True
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # the token stays revoked
    assert session.get("/").status_code == 302  # and the old session stays ended
    assert request_token(client, leaver.email, TEST_PASSWORD).status_code == 201
    twice = client.post(f"/api/v1/users/{leaver.id}/reactivate", headers=admin)
    assert twice.status_code == 409 and "active already" in twice.json["message"]
    deactivated = _events("user.deactivated")
    assert [(e.actor_id, e.target_id) for e in deactivated] == [(team["admin"].id, str(leaver.id))]
    assert deactivated[0].changes["after"] == {"active": False, "tokens_revoked": 1}
    assert [e.actor_id for e in _events("user.reactivated")] == [team["admin"].id]


def test_an_admin_cannot_deactivate_itself_or_another_organizations_user(client, team, bearer):
    admin = team["admin"]
    headers = bearer(admin)
    itself = client.post(f"/api/v1/users/{admin.id}/deactivate", headers=headers)
    assert itself.status_code == 409 and "cannot deactivate yourself" in itself.json["message"]
    stranger = team["stranger"]
    for action in ("deactivate", "reactivate", "tokens/revoke"):
        response = client.post(f"/api/v1/users/{stranger.id}/{action}", headers=headers)
        assert response.status_code == 404, action
    assert _reload(stranger).active and _reload(admin).active
    assert _events("user.deactivated") == []


def test_the_last_active_admin_of_an_organization_stays(app, team, make_user):
    """Another admin of the same organization may be deactivated; the last one may not, whoever
    asks (an admin cannot reach itself, so the service is asked directly, as a race would)."""
    admin = team["admin"]
    second = make_user("admin", organization=admin.organization)
    deactivate_user(second, admin)
    db.session.commit()
    with pytest.raises(ConflictError, match="last active administrator"):
        deactivate_user(admin, team["leaver"])
    db.session.rollback()
    assert _reload(admin).active


def test_revoking_a_users_tokens_keeps_their_session(client, team, bearer, sign_in):
    leaver = team["leaver"]
    first, second = bearer(leaver), bearer(leaver)
    session = sign_in(client.application.test_client(), leaver)
    response = client.post(
        f"/api/v1/users/{leaver.id}/tokens/revoke", headers=bearer(team["admin"])
    )
    assert response.status_code == 200 and response.json == {"user_id": leaver.id, "revoked": 2}
    for headers in (first, second):
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert session.get("/").status_code == 200
    live = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == leaver.id, ApiToken.revoked_at.is_(None))
    ).all()
    assert live == []
    assert [e.changes["after"] for e in _events("user.tokens_revoked")] == [{"tokens_revoked": 2}]


def test_the_users_page_deactivates_reactivates_and_revokes_with_confirmation(
    client, team, sign_in, bearer
):
    leaver = team["leaver"]
    headers = bearer(leaver)
    page_client = sign_in(client, team["admin"])
    page = page_client.get("/admin/users")
    assert f"/admin/users/{leaver.id}/deactivate" in page.text
    assert f"/admin/users/{team['admin'].id}/deactivate" not in page.text  # not itself
    assert 'data-confirm="Deactivate ' in page.text and 'data-confirm="Revoke every' in page.text
    forged = page_client.post(f"/admin/users/{leaver.id}/deactivate")
    assert forged.status_code == 400 and _reload(leaver).active
    token = csrf_token_from(page.text)
    revoked = page_client.post(
        f"/admin/users/{leaver.id}/tokens/revoke", data={"csrf_token": token}
    )
    assert (
        revoked.status_code == 302 and client.get("/api/v1/me", headers=headers).status_code == 401
    )
    assert "1 API token(s)" in page_client.get("/admin/users").text
    done = page_client.post(f"/admin/users/{leaver.id}/deactivate", data={"csrf_token": token})
    assert done.status_code == 302 and not _reload(leaver).active
    listed = page_client.get("/admin/users").text
    assert "is deactivated" in listed and ">deactivated<" in listed
    assert f"/admin/users/{leaver.id}/reactivate" in listed
    assert (
        post_sign_in(client.application.test_client(), leaver.email, TEST_PASSWORD).status_code
        == 401
    )
    back = page_client.post(f"/admin/users/{leaver.id}/reactivate", data={"csrf_token": token})
    assert back.status_code == 302 and _reload(leaver).active
    itself = page_client.post(
        f"/admin/users/{team['admin'].id}/deactivate", data={"csrf_token": token}
    )
    assert itself.status_code == 302
    assert "cannot deactivate yourself" in page_client.get("/admin/users").text
    stranger = team["stranger"].id
    for action in ("deactivate", "reactivate", "tokens/revoke"):
        response = page_client.post(f"/admin/users/{stranger}/{action}", data={"csrf_token": token})
        assert response.status_code == 404, action

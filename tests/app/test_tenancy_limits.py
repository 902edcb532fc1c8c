"""The per-address limit on sign-in and token requests: past `sign_in_per_address_per_minute`
attempts from one address, both answer 429 with Retry-After before any password is hashed; other
addresses are not slowed; behind trusted proxies the client's forwarded address counts; on Redis
the count is shared by every process."""

import secrets

import pytest

from procure import create_app
from procure.accounts import services
from procure.settings import load_settings
from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.worker_process import BROKER_URL, JOB_QUEUE, redis_reachable

LIMIT = 5
WRONG = "not-the-password"


@pytest.fixture
def hashes(app, monkeypatch):
    """The per-address limit set to LIMIT (the email throttle and the lockout out of the way);
    a list that grows by one for every password hash checked."""
    app.config.update(SIGN_IN_PER_ADDRESS_PER_MINUTE=LIMIT, LOGIN_MAX_FAILURES=1000)
    app.config.update(LOCKOUT_FAILURES=0)
    checked = []
    real = services.check_password_hash

    def counting(stored, password):
        checked.append(password)
        return real(stored, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    return checked


def _sign_in_page(client, email, password):
    token = csrf_token_from(client.get("/sign-in").text)  # showing the page is not counted
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def _token(client, email, password):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password})


def test_past_the_limit_both_sign_ins_answer_429_without_hashing(app, make_user, hashes):
    user = make_user("buyer")
    client = app.test_client()
    answers = []
    for attempt in range(LIMIT + 5):  # the page and the API share one count per address
        send = _sign_in_page if attempt % 2 else _token
        answers.append(send(client, user.email, WRONG))
    assert [r.status_code for r in answers] == [401] * LIMIT + [429] * 5
    assert len(hashes) == LIMIT  # N + 5 attempts hashed N passwords
    for refused in answers[LIMIT:]:
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    api = answers[-1] if answers[-1].is_json else answers[-2]
    assert api.json["code"] == 429 and "from your address" in api.json["message"]
    page = answers[-1] if not answers[-1].is_json else answers[-2]
    assert "Too many sign-in attempts from your address" in page.text
    # the sign-in form again, the address kept and the reason where the form is: not an error
    # page that leads away from it
    assert 'name="password"' in page.text and f'value="{user.email}"' in page.text
    assert 'role="alert"' in page.text and "Error 429" not in page.text
    # the right password waits too, and costs nothing
    assert _token(client, user.email, TEST_PASSWORD).status_code == 429
    assert len(hashes) == LIMIT
    # another address is not slowed down
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert _token(other, user.email, TEST_PASSWORD).status_code == 201
    assert len(hashes) == LIMIT + 1
    # signed-in work is not counted
    headers = {"Authorization": f"Bearer {_token(other, user.email, TEST_PASSWORD).json['token']}"}
    for _ in range(LIMIT + 1):
        assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_behind_trusted_proxies_the_forwarded_client_address_counts(app, make_user, hashes):
    user = make_user("buyer")
    proxy = app.test_client()  # every request arrives from the proxy's address, 127.0.0.1

    def through_proxy(client_address, claimed=""):
        forwarded = f"{claimed}, {client_address}" if claimed else client_address
        return proxy.post(
            "/api/v1/auth/tokens",
            json={"email": user.email, "password": WRONG},
            headers={"X-Forwarded-For": forwarded},
        ).status_code

    # without trusted hops the proxy's address is what counts: every client shares it
    assert [through_proxy(f"198.51.100.{n}") for n in range(LIMIT + 1)][-1] == 429
    app.config["TRUSTED_PROXY_HOPS"] = 1
    assert [through_proxy("198.51.100.7") for _ in range(LIMIT)] == [401] * LIMIT
    assert through_proxy("198.51.100.7") == 429
    assert through_proxy("198.51.100.8") == 401  # another client behind the same proxy
    # a client cannot choose its address by sending its own X-Forwarded-For: the proxy appends
    assert through_proxy("198.51.100.7", claimed="203.0.113.1") == 429


def test_a_zero_limit_turns_the_limit_off(app, make_user, hashes):
    app.config["SIGN_IN_PER_ADDRESS_PER_MINUTE"] = 0
    user = make_user("buyer")
    client = app.test_client()
    assert {_token(client, user.email, WRONG).status_code for _ in range(LIMIT + 3)} == {401}


def test_the_default_limit_and_storage(tmp_path):
    settings = load_settings(tmp_path, environ={})
    assert settings["sign_in_per_address_per_minute"] == 20
    assert settings["rate_limit_storage_url"] == "" and settings["trusted_proxy_hops"] == 0
    from procure.accounts.limits import storage_url

    assert storage_url({"RATE_LIMIT_STORAGE_URL": "", "BROKER_URL": ""}) == "memory://"
    broker = {"RATE_LIMIT_STORAGE_URL": "", "BROKER_URL": "redis://r:6379/0"}
    assert storage_url(broker) == "redis://r:6379/0"
    own = {"RATE_LIMIT_STORAGE_URL": "redis://r:6379/2", "BROKER_URL": "redis://r:6379/0"}
    assert storage_url(own) == "redis://r:6379/2"


def test_on_redis_the_count_is_shared_by_every_process(app, migrated, make_user, tmp_path):
    """Two app instances (two web processes) on one Redis: the second goes on counting where the
    first stopped (with memory storage, each would count from zero)."""
    if not redis_reachable():
        pytest.skip(f"Redis not reachable at {BROKER_URL}")
    user = make_user("buyer")
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"

    def web_process(number):
        process = create_app(
            {
                "database_url": migrated,
                "secret_key": "test-secret",
                "job_queue": JOB_QUEUE,
                "rate_limit_storage_url": BROKER_URL,
                "sign_in_per_address_per_minute": 3,
            },
            instance_path=str(tmp_path / f"process-{number}"),
        )
        client = process.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client

    first = web_process(1)
    answers = [_token(first, user.email, WRONG).status_code for _ in range(2)]
    second = web_process(2)
    answers += [_token(second, user.email, WRONG).status_code for _ in range(2)]
    assert answers == [401, 401, 401, 429]

"""Accounts: users with groups and roles, Argon2 passwords, lockout, sessions,
expiring and revocable keys that follow the user's current role, migrations,
and the rate limiter. The store tests run on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devtools.postgres import PostgresServer
from gwanmun.accounts import AccountStore, LoginPolicy
from gwanmun.db import DatabaseUnavailable
from gwanmun.errors import AuthenticationError, InvalidRequest, RateLimited
from gwanmun.ratelimit import RateLimiter
from gwanmun.settings import RateLimitConfig
from gwanmun.types import Principal, Role

PASSWORD = "correct horse battery"


MakeStore = Callable[[LoginPolicy], AccountStore]


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    """Account stores on SQLite (``keys.db``) or on a fresh real PostgreSQL database."""
    where: Path | str = (
        tmp_path / "keys.db"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    made: list[AccountStore] = []

    def make(policy: LoginPolicy) -> AccountStore:
        made.append(AccountStore(where, policy))
        return made[-1]

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(make_store: MakeStore) -> AccountStore:
    return make_store(LoginPolicy(max_failed_logins=3, lockout_s=600, attempts_per_minute=0))


def test_users_have_group_role_and_a_hashed_password(store: AccountStore) -> None:
    info = store.create_user("kim.minsu", group="민원과", role=Role.ADMIN, password=PASSWORD)
    assert (info.group, info.role, info.has_password) == ("민원과", Role.ADMIN, True)
    stored = store.db.one("SELECT password_hash FROM users")
    assert stored is not None
    (hashed,) = stored
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    with pytest.raises(InvalidRequest, match="already exists"):
        store.create_user("kim.minsu")
    with pytest.raises(InvalidRequest, match="not valid"):
        store.create_user("has space")
    with pytest.raises(InvalidRequest, match="too short"):
        store.create_user("lee", password="short")


def test_lockout_after_repeated_failures_and_unlock(store: AccountStore) -> None:
    store.create_user("kim", password=PASSWORD)
    for _ in range(3):
        with pytest.raises(AuthenticationError, match="Wrong user name or password"):
            store.login("kim", "wrong password!", now=1000.0)
    # Locked: even the right password is refused, with the one answer every refusal gets.
    with pytest.raises(AuthenticationError, match="Wrong user name or password") as locked:
        store.login("kim", PASSWORD, now=1001.0)
    assert "wait 10 min" in locked.value.message and not locked.value.details
    token, principal = store.login("kim", PASSWORD, now=1000.0 + 601)  # the lock ran out
    assert principal.user == "kim" and store.session(token, now=1700.0).user == "kim"
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            store.login("kim", "wrong password!", now=2000.0)
    store.unlock("kim")
    store.login("kim", PASSWORD, now=2001.0)
    # An unknown user gets the same message as a wrong password.
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        store.login("nobody", PASSWORD)


def test_a_success_resets_the_failure_count(store: AccountStore) -> None:
    store.create_user("kim", password=PASSWORD)
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            store.login("kim", "wrong password!")
    store.login("kim", PASSWORD)
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            store.login("kim", "wrong password!")
    store.login("kim", PASSWORD)  # still not locked


def test_sessions_expire_end_on_logout_password_change_and_disable(store: AccountStore) -> None:
    store.create_user("kim", password=PASSWORD)
    token, _ = store.login("kim", PASSWORD, now=0.0)
    assert store.session(token, now=100.0).user == "kim"
    with pytest.raises(AuthenticationError, match="session has ended"):
        store.session(token, now=store.policy.session_s + 1)
    token, _ = store.login("kim", PASSWORD)
    store.logout(token)
    with pytest.raises(AuthenticationError):
        store.session(token)
    token, _ = store.login("kim", PASSWORD)
    store.set_password("kim", "another long password")
    with pytest.raises(AuthenticationError):
        store.session(token)
    token, _ = store.login("kim", "another long password")
    store.update_user("kim", disabled=True)
    with pytest.raises(AuthenticationError):
        store.session(token)
    # A disabled account does not confirm its password: the same answer as a wrong one.
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        store.login("kim", "another long password")


def test_keys_follow_the_users_current_role_group_and_state(store: AccountStore) -> None:
    key, info = store.create("park", group="총무과", role=Role.USER, expires_in_days=1, now=0.0)
    assert store.authenticate(key, now=10.0) == Principal(
        user="park", group="총무과", role=Role.USER, key_id=info.key_id
    )
    store.update_user("park", role=Role.AUDITOR, group="감사관실")
    assert store.authenticate(key, now=10.0).role is Role.AUDITOR
    with pytest.raises(AuthenticationError, match="expired"):
        store.authenticate(key, now=86401.0)
    key2, _ = store.create("park")  # an existing user: the key takes the user's role
    store.update_user("park", disabled=True)
    with pytest.raises(AuthenticationError, match="disabled"):
        store.authenticate(key2)
    store.update_user("park", disabled=False)
    store.revoke(store.list()[-1].key_id)
    with pytest.raises(AuthenticationError, match="revoked"):
        store.authenticate(key2)
    with pytest.raises(InvalidRequest, match="users update"):
        store.create("park", group="elsewhere")


def test_a_key_store_from_before_accounts_is_migrated(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "keys.db")
    db.execute(
        "CREATE TABLE api_keys (key_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, "
        "user TEXT NOT NULL, grp TEXT, role TEXT NOT NULL, created_at REAL NOT NULL, "
        "expires_at REAL, revoked_at REAL)"
    )
    import hashlib

    old_key = "gwk_0123456789ab_secretpart"
    db.execute(
        "INSERT INTO api_keys VALUES (?, ?, 'old.user', '기획과', 'admin', 1.0, NULL, NULL)",
        ("0123456789ab", hashlib.sha256(old_key.encode()).hexdigest()),
    )
    db.commit()
    db.close()
    store = AccountStore(tmp_path / "keys.db")
    assert store.authenticate(old_key).role is Role.ADMIN
    assert [(u.name, u.group) for u in store.list_users()] == [("old.user", "기획과")]
    store.close()
    again = AccountStore(tmp_path / "keys.db")  # reopening applies nothing twice
    assert len(again.list_users()) == 1
    again.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_request_rate_per_user_and_group() -> None:
    clock = Clock()
    limiter = RateLimiter(
        RateLimitConfig(user_requests_per_minute=2, group_requests_per_minute=3), clock=clock
    )
    kim, lee = Principal("kim", "민원과"), Principal("lee", "민원과")
    limiter.admit(kim)
    limiter.admit(kim)
    with pytest.raises(RateLimited) as caught:
        limiter.admit(kim)
    assert caught.value.retry_after == 30 and "your limit is 2 per minute" in caught.value.message
    limiter.admit(lee)  # the group's third request
    with pytest.raises(RateLimited, match="group's limit is 3"):
        limiter.admit(lee)
    clock.now = 30.0  # half a minute refills one request for kim and 1.5 for the group
    limiter.admit(kim)
    limiter.admit(Principal("park", None))  # no group: only the user bucket


def test_daily_token_quota() -> None:
    wall = Clock()
    wall.now = 1_800_000_000.0
    limiter = RateLimiter(RateLimitConfig(user_tokens_per_day=100), wall=wall)
    kim = Principal("kim")
    limiter.admit(kim)
    limiter.charge(kim, 100)
    with pytest.raises(RateLimited, match="daily token quota") as caught:
        limiter.admit(kim)
    assert 0 < caught.value.retry_after <= 86400
    limiter.admit(Principal("lee"))
    wall.now += 86400  # the next day
    limiter.admit(kim)


def _counting_checks(store: AccountStore, real_hash_of: str) -> list[str]:
    """Wraps ``_verify``: records each password checked against ``real_hash_of``'s hash."""
    found = store.db.one("SELECT password_hash FROM users WHERE name = ?", (real_hash_of,))
    assert found is not None
    (real,) = found
    checked: list[str] = []
    verify = store._verify

    def counting(password_hash: str, password: str) -> bool:
        if password_hash == real:
            checked.append(password)
        return verify(password_hash, password)

    store._verify = counting  # type: ignore[method-assign]
    return checked


def test_parallel_wrong_passwords_are_counted_before_they_are_checked(
    store: AccountStore,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store.create_user("kim", password=PASSWORD)
    checked = _counting_checks(store, "kim")

    def attempt(password: str) -> str:
        try:
            store.login("kim", password, source="10.0.0.9")
        except AuthenticationError:
            return "refused"
        return "signed in"

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(attempt, [f"wrong password {i}" for i in range(20)]))
    assert results == ["refused"] * 20
    assert len(checked) <= store.policy.max_failed_logins
    # Locked now: the right password among 30 parallel wrong ones does not sign in.
    with ThreadPoolExecutor(31) as pool:
        burst = list(pool.map(attempt, [f"wrong {i}" for i in range(30)] + [PASSWORD]))
    assert burst.count("signed in") == 0
    assert len(checked) <= store.policy.max_failed_logins


def test_the_right_password_inside_a_burst_does_not_reopen_the_count(store: AccountStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store.create_user("kim", password=PASSWORD)
    checked = _counting_checks(store, "kim")

    def attempt(password: str) -> None:
        with contextlib.suppress(AuthenticationError):
            store.login("kim", password, source="10.0.0.9")

    passwords = [f"wrong {i}" for i in range(15)] + [PASSWORD] + [f"wrong {i}" for i in range(15)]
    with ThreadPoolExecutor(31) as pool:
        list(pool.map(attempt, passwords))
    wrong = [p for p in checked if p != PASSWORD]
    assert len(wrong) <= store.policy.max_failed_logins


def test_one_answer_for_unknown_wrong_locked_and_disabled(store: AccountStore) -> None:
    store.create_user("kim", password=PASSWORD)
    store.create_user("off", password=PASSWORD)
    store.update_user("off", disabled=True)
    store.create_user("lockme", password=PASSWORD)
    for _ in range(4):
        with contextlib.suppress(AuthenticationError):
            store.login("lockme", "wrong password!")
    answers = []
    for name, password in [
        ("nobody", PASSWORD),
        ("kim", "wrong password!"),
        ("lockme", PASSWORD),
        ("off", PASSWORD),
    ]:
        with pytest.raises(AuthenticationError) as caught:
            store.login(name, password)
        answers.append((caught.value.status, caught.value.message, caught.value.details))
    assert len(set(map(repr, answers))) == 1


def test_a_lock_holds_for_the_source_that_caused_it_only(store: AccountStore) -> None:
    store.create_user("adm", role=Role.ADMIN, password=PASSWORD)
    for _ in range(5):
        with contextlib.suppress(AuthenticationError):
            store.login("adm", "wrong password!", source="203.0.113.7")
    with pytest.raises(AuthenticationError):
        store.login("adm", PASSWORD, source="203.0.113.7")
    # The administrator at their own desk still signs in.
    assert store.login("adm", PASSWORD, source="10.1.2.3")[1].user == "adm"
    assert store.get_user("adm").as_dict()["locked"] is True
    store.unlock("adm")
    assert store.get_user("adm").as_dict()["locked"] is False


def test_one_source_is_throttled_over_every_name(make_store: MakeStore) -> None:
    store = make_store(LoginPolicy(attempts_per_minute=10))
    for i in range(10):
        with pytest.raises(AuthenticationError):
            store.login(f"name{i}", PASSWORD, source="198.51.100.1", now=100.0)
    with pytest.raises(RateLimited) as caught:
        store.login("name99", PASSWORD, source="198.51.100.1", now=101.0)
    assert caught.value.retry_after >= 1
    with pytest.raises(AuthenticationError):  # another source is not slowed
        store.login("name99", PASSWORD, source="198.51.100.2", now=101.0)
    with pytest.raises(AuthenticationError):  # and a minute later this one is not either
        store.login("name99", PASSWORD, source="198.51.100.1", now=161.0)
    # Successes do not use the budget: a whole office behind one address signs in.
    for i in range(15):
        store.create_user(f"staff{i}", password=PASSWORD)
        store.login(f"staff{i}", PASSWORD, source="192.0.2.1", now=200.0)


def test_keys_minted_for_someone_else_say_who_minted_them(store: AccountStore) -> None:
    store.create_user("kim")
    _, own = store.create("kim", minted_by="kim")
    _, minted = store.create("kim", minted_by="adm")
    assert own.minted_by is None and minted.minted_by == "adm"
    assert [k.as_dict()["minted_by"] for k in store.list(user="kim")] == [None, "adm"]
    assert store.list(user="nobody") == []


def test_a_name_sprayer_cannot_grow_the_login_counts(make_store: MakeStore) -> None:
    policy = LoginPolicy(
        max_failed_logins=3, lockout_s=600, attempts_per_minute=1000, max_attempt_records=10
    )
    store = make_store(policy)
    store.create_user("kim", password=PASSWORD)
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            store.login("kim", "wrong password!", source="10.0.0.1", now=1000.0)
    # A sprayer: a new made-up name from a new address each time, under every rate.
    for n in range(40):  # four times the cap (each try is one Argon2 check: slow on purpose)
        with pytest.raises(AuthenticationError):
            store.login(f"made.up{n}", "guess", source=f"10.9.{n // 200}.{n % 200}", now=1001.0)
    db = store.db
    (counts,) = db.one("SELECT count(*) FROM login_attempts") or (0,)
    assert counts <= 10 + 1  # the cap, and the one added since the last prune
    # The real account's count outlived the spray: one more wrong password locks it.
    with pytest.raises(AuthenticationError):
        store.login("kim", "wrong password!", source="10.0.0.1", now=1002.0)
    with pytest.raises(AuthenticationError):
        store.login("kim", PASSWORD, source="10.0.0.1", now=1003.0)
    # Quiet counts and ended rate windows go: only the newest attempt is left.
    with pytest.raises(AuthenticationError):
        store.login("late", "guess", source="10.8.0.1", now=3000.0)
    assert db.all('SELECT "user" FROM login_attempts') == [("late",)]
    assert db.all("SELECT source FROM login_sources") == [("10.8.0.1",)]
    store.login("kim", PASSWORD, source="10.0.0.1", now=3001.0)


def test_two_stores_on_one_postgres_count_one_lockout(postgres_url: str) -> None:
    """Two processes' stores on one database (two pools): parallel wrong passwords
    through both are one count, so no more than the limit are ever checked."""
    from concurrent.futures import ThreadPoolExecutor

    policy = LoginPolicy(max_failed_logins=3, lockout_s=600, attempts_per_minute=0)
    one, two = AccountStore(postgres_url, policy), AccountStore(postgres_url, policy)
    one.create_user("kim", password=PASSWORD)
    checks_one, checks_two = _counting_checks(one, "kim"), _counting_checks(two, "kim")

    def attempt(i: int) -> str:
        try:
            (one if i % 2 else two).login("kim", f"wrong {i}", source="10.0.0.9")
        except AuthenticationError:
            return "refused"
        return "signed in"

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(attempt, range(16))) == ["refused"] * 16
    assert len(checks_one) + len(checks_two) <= policy.max_failed_logins
    # Locked on both: the right password is refused by either.
    for store in (one, two):
        with pytest.raises(AuthenticationError):
            store.login("kim", PASSWORD, source="10.0.0.9")
    assert two.get_user("kim").as_dict()["locked"] is True
    two.unlock("kim")
    assert one.login("kim", PASSWORD, source="10.0.0.9")[1].user == "kim"
    one.close()
    two.close()


def test_text_with_nul_is_refused_alike_on_both_stores(store: AccountStore) -> None:
    """PostgreSQL's text cannot hold U+0000, so neither store takes it: a clear
    400, never a database error."""
    with pytest.raises(InvalidRequest, match="U\\+0000"):
        store.create_user("kim\x00")
    store.create_user("kim", password=PASSWORD)
    with pytest.raises(InvalidRequest, match="U\\+0000"):
        store.update_user("kim", group="민원\x00과")
    with pytest.raises(InvalidRequest, match="U\\+0000"):
        store.login("kim\x00", PASSWORD)
    assert store.get_user("kim").group is None


def test_a_database_gone_mid_run_refuses_with_503(postgres: PostgresServer) -> None:
    """The shared database dropped under a running store: the next lookup is a
    DatabaseUnavailable (503, fail closed) naming no host, not a driver error."""
    import psycopg

    url = postgres.create_database("t_accounts_db_gone")
    store = AccountStore(url)
    key, _ = store.create("kim")
    assert store.authenticate(key).user == "kim"
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute('DROP DATABASE "t_accounts_db_gone" WITH (FORCE)')
    with pytest.raises(DatabaseUnavailable) as caught:
        store.authenticate(key)
    assert caught.value.status == 503 and "127.0.0.1" not in caught.value.message
    store.close()

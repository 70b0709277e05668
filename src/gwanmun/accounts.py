"""Accounts: users, groups (departments), roles, API keys and web sessions, in SQLite.

- A **user** has one group and one role (user, admin or auditor; see
  ``gwanmun.types.Role`` and docs/accounts.md). Keys and sessions take the
  user's *current* role and group at every request, so a change or a disabled
  account takes effect at once.
- **API keys** look like ``gwk_<key id>_<secret>``. Only SHA-256 of the whole
  key is stored: the secret is 32 random bytes, so a slow hash would add
  latency to every request without adding safety. Keys expire and are revocable.
- **Passwords** (web login) are hashed with Argon2id (argon2-cffi). Login
  attempts are counted per (account, source address) *before* the password is
  checked, atomically, so parallel guesses cannot outrun the count: at most
  ``max_failed_logins`` passwords are ever checked from one source before that
  pair locks for ``lockout_minutes``. The lock holds for that source only, so
  nobody can lock an administrator out from elsewhere; each source also has a
  rate (``login_attempts_per_minute``) over all names. Every refusal (unknown
  name, wrong password, locked, disabled) is one answer, and every path checks
  one Argon2 hash, so neither the message nor the timing tells them apart.
  The counts are bounded: a count with no lock and no attempt for
  ``lockout_minutes`` is dropped, and past ``max_login_records`` the oldest
  counts go, those of names that are no account first (a name sprayer's rows;
  a lock on a name that is no account protects nothing).
- **Separation of duties**: auditor credentials are made only locally (CLI)
  or by another auditor (``check_credential_change``). A key minted for
  someone else records who minted it (``minted_by``).
- **Sessions** are random tokens stored hashed, with an expiry.

The store is ``data_dir/keys.db`` (SQLite), or PostgreSQL when ``database_url``
is set (``gwanmun.db``): then every gateway process on that database reads
the same rows on every request, so a user disabled, a key revoked or a
session ended on one is refused by all at once, and login counts are one
count over all of them (the row is locked for the read that decides it).
Migrations are an ordered list per database (``SCHEMA``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gwanmun.db import Conflict, Database, Schema, open_database
from gwanmun.errors import (
    AuthenticationError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from gwanmun.settings import Settings
from gwanmun.types import Principal, Role

_PREFIX = "gwk"
_SESSION_PREFIX = "gws"

MIGRATIONS: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS api_keys (
        key_id      TEXT PRIMARY KEY,
        key_hash    TEXT NOT NULL,
        user        TEXT NOT NULL,
        grp         TEXT,
        role        TEXT NOT NULL,
        created_at  REAL NOT NULL,
        expires_at  REAL,
        revoked_at  REAL
    )""",
    """CREATE TABLE users (
        name           TEXT PRIMARY KEY,
        grp            TEXT,
        role           TEXT NOT NULL,
        password_hash  TEXT,
        failed_logins  INTEGER NOT NULL DEFAULT 0,
        locked_until   REAL,
        disabled       INTEGER NOT NULL DEFAULT 0,
        created_at     REAL NOT NULL
    )""",
    # Keys made before accounts existed become users with the key's group and role.
    """INSERT OR IGNORE INTO users (name, grp, role, created_at)
       SELECT user, grp, role, MIN(created_at) FROM api_keys GROUP BY user""",
    """CREATE TABLE sessions (
        token_hash  TEXT PRIMARY KEY,
        user        TEXT NOT NULL REFERENCES users(name),
        created_at  REAL NOT NULL,
        expires_at  REAL NOT NULL
    )""",
    # When the user acknowledged the pre-use notice (AI Basic Act art. 31, NIS M30).
    "ALTER TABLE users ADD COLUMN notice_ack_at REAL",
    # Who made a key for someone else (an admin's name, or local:<OS user> for the CLI).
    "ALTER TABLE api_keys ADD COLUMN minted_by TEXT",
    # Login attempts per (name, source): reserved before the password is checked.
    # Names need not exist, so unknown names behave exactly like real ones.
    """CREATE TABLE login_attempts (
        user          TEXT NOT NULL,
        source        TEXT NOT NULL,
        failures      INTEGER NOT NULL,
        locked_until  REAL,
        PRIMARY KEY (user, source)
    )""",
    """CREATE TABLE login_sources (
        source        TEXT PRIMARY KEY,
        window_start  REAL NOT NULL,
        attempts      INTEGER NOT NULL
    )""",
    # When a (name, source) count last moved, so quiet counts can be dropped.
    "ALTER TABLE login_attempts ADD COLUMN last_at REAL NOT NULL DEFAULT 0",
    "CREATE INDEX login_attempts_last ON login_attempts (last_at)",
)

# The same tables on PostgreSQL, which never had the older shapes.
PG_MIGRATIONS: tuple[str, ...] = (
    """CREATE TABLE users (
        name           TEXT PRIMARY KEY,
        grp            TEXT,
        role           TEXT NOT NULL,
        password_hash  TEXT,
        failed_logins  INTEGER NOT NULL DEFAULT 0,
        locked_until   DOUBLE PRECISION,
        disabled       INTEGER NOT NULL DEFAULT 0,
        created_at     DOUBLE PRECISION NOT NULL,
        notice_ack_at  DOUBLE PRECISION
    )""",
    """CREATE TABLE api_keys (
        key_id      TEXT PRIMARY KEY,
        key_hash    TEXT NOT NULL,
        "user"      TEXT NOT NULL,
        grp         TEXT,
        role        TEXT NOT NULL,
        created_at  DOUBLE PRECISION NOT NULL,
        expires_at  DOUBLE PRECISION,
        revoked_at  DOUBLE PRECISION,
        minted_by   TEXT
    )""",
    'CREATE INDEX api_keys_user ON api_keys ("user")',
    """CREATE TABLE sessions (
        token_hash  TEXT PRIMARY KEY,
        "user"      TEXT NOT NULL REFERENCES users(name),
        created_at  DOUBLE PRECISION NOT NULL,
        expires_at  DOUBLE PRECISION NOT NULL
    )""",
    'CREATE INDEX sessions_user ON sessions ("user")',
    """CREATE TABLE login_attempts (
        "user"        TEXT NOT NULL,
        source        TEXT NOT NULL,
        failures      INTEGER NOT NULL,
        locked_until  DOUBLE PRECISION,
        last_at       DOUBLE PRECISION NOT NULL DEFAULT 0,
        PRIMARY KEY ("user", source)
    )""",
    "CREATE INDEX login_attempts_last ON login_attempts (last_at)",
    """CREATE TABLE login_sources (
        source        TEXT PRIMARY KEY,
        window_start  DOUBLE PRECISION NOT NULL,
        attempts      INTEGER NOT NULL
    )""",
)

# "gwanacct": the accounts' migration lock on PostgreSQL.
SCHEMA = Schema(
    name="accounts",
    sqlite=MIGRATIONS,
    postgres=PG_MIGRATIONS,
    table="gwanmun_accounts_schema",
    lock=0x6777616E61636374,
)

LOGIN_REFUSED = (
    "Wrong user name or password, or the account is locked or disabled. After too many "
    "failed tries, wait {minutes} min or ask an administrator to unlock it."
)

# Reads a user with the lock state of their login attempts (any source).
_USER_SELECT = (
    "SELECT name, grp, role, password_hash IS NOT NULL, "
    '(SELECT COALESCE(MAX(failures), 0) FROM login_attempts a WHERE a."user" = users.name), '
    '(SELECT MAX(locked_until) FROM login_attempts a WHERE a."user" = users.name), '
    "disabled, created_at FROM users"
)

# User names appear in audit records and URLs: printable, no spaces or slashes.
_NAME = re.compile(r"^[^\s/\\:]{1,64}$")


@dataclass(frozen=True, slots=True)
class UserInfo:
    name: str
    group: str | None
    role: Role
    has_password: bool
    failed_logins: int
    locked_until: float | None
    disabled: bool
    created_at: float

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "group": self.group,
            "role": self.role.value,
            "has_password": self.has_password,
            "locked": self.locked_until is not None and self.locked_until > time.time(),
            "disabled": self.disabled,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A stored key, without its secret."""

    key_id: str
    user: str
    group: str | None
    role: Role
    created_at: float
    expires_at: float | None
    revoked_at: float | None
    minted_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, object]:
        """What the admin API and ``gwanmun keys list --json`` show of a key."""
        return {
            "key_id": self.key_id,
            "user": self.user,
            "group": self.group,
            "role": self.role.value,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked": not self.active,
            "minted_by": self.minted_by,
        }


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failed_logins: int = 5
    lockout_s: float = 900.0
    session_s: float = 8 * 3600.0
    min_password_length: int = 12
    attempts_per_minute: int = 30
    max_attempt_records: int = 10_000


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class AccountStore:
    """Users, keys and sessions in ``data_dir/keys.db`` or on PostgreSQL
    (``where``: a path, a checked connection string, or an open ``Database``
    the caller closes); safe to share between threads."""

    def __init__(self, where: Path | str | Database, policy: LoginPolicy | None = None) -> None:
        self.policy = policy or LoginPolicy()
        self._owns = not hasattr(where, "transaction")
        self.db = open_database(where)
        self._hasher = PasswordHasher()
        # Verified against when the user does not exist, so timing does not tell.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        self._new_counts = 0  # (name, source) rows added since the last prune
        self._pruned_at = 0.0
        self._migrate()

    def _migrate(self) -> None:
        self.db.migrate(SCHEMA)

    def close(self) -> None:
        if self._owns:
            self.db.close()

    # --- users ------------------------------------------------------------

    def create_user(
        self,
        name: str,
        *,
        group: str | None = None,
        role: Role = Role.USER,
        password: str | None = None,
        now: float | None = None,
    ) -> UserInfo:
        if not _NAME.match(name):
            raise InvalidRequest(
                f"user name {name!r} is not valid: 1-64 characters, no spaces, '/', '\\' or ':'"
            )
        hashed = self._hash_password(password) if password is not None else None
        created = time.time() if now is None else now
        try:
            self.db.run(
                "INSERT INTO users (name, grp, role, password_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, group, role.value, hashed, created),
            )
        except Conflict:
            raise InvalidRequest(f"user {name!r} already exists") from None
        return self.get_user(name)

    def get_user(self, name: str) -> UserInfo:
        row = self.db.one(_USER_SELECT + " WHERE name = ?", (name,))
        if row is None:
            raise NotFound(f"no user {name!r}; `gwanmun users list` shows the users")
        return _user(row)

    def list_users(self) -> list[UserInfo]:
        rows = self.db.all(_USER_SELECT + " ORDER BY name")
        return [_user(r) for r in rows]

    def update_user(
        self,
        name: str,
        *,
        group: str | None = None,
        role: Role | None = None,
        disabled: bool | None = None,
    ) -> UserInfo:
        self.get_user(name)
        with self.db.transaction() as tx:
            if group is not None:
                tx.run("UPDATE users SET grp = ? WHERE name = ?", (group or None, name))
            if role is not None:
                tx.run("UPDATE users SET role = ? WHERE name = ?", (role.value, name))
            if disabled is not None:
                tx.run("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name))
                if disabled:
                    tx.run('DELETE FROM sessions WHERE "user" = ?', (name,))
        return self.get_user(name)

    def set_password(self, name: str, password: str) -> None:
        hashed = self._hash_password(password)
        self.get_user(name)
        with self.db.transaction() as tx:
            tx.run("UPDATE users SET password_hash = ? WHERE name = ?", (hashed, name))
            tx.run('DELETE FROM login_attempts WHERE "user" = ?', (name,))
            # A new password ends every open session of the account.
            tx.run('DELETE FROM sessions WHERE "user" = ?', (name,))

    def acknowledge_notice(self, name: str, *, now: float | None = None) -> None:
        self.db.run(
            "UPDATE users SET notice_ack_at = ? WHERE name = ?",
            (time.time() if now is None else now, name),
        )

    def notice_acknowledged(self, name: str) -> bool:
        row = self.db.one("SELECT notice_ack_at FROM users WHERE name = ?", (name,))
        return row is not None and row[0] is not None

    def unlock(self, name: str) -> None:
        self.get_user(name)
        self.db.run('DELETE FROM login_attempts WHERE "user" = ?', (name,))

    def _hash_password(self, password: str) -> str:
        if len(password) < self.policy.min_password_length:
            raise InvalidRequest(
                f"the password is too short: at least {self.policy.min_password_length} "
                "characters (accounts.min_password_length)"
            )
        return self._hasher.hash(password)

    # --- web login --------------------------------------------------------

    def login(
        self,
        name: str,
        password: str,
        *,
        source: str | None = None,
        now: float | None = None,
    ) -> tuple[str, Principal]:
        """Check a password from ``source`` (the client address); returns
        ``(session token, principal)``.

        The attempt is counted before the password is checked; every refusal
        is the same ``AuthenticationError`` after one Argon2 verification.
        Too many attempts from one source over all names is a ``RateLimited``.
        """
        current = time.time() if now is None else now
        origin = source or "-"
        self._throttle(origin, current)
        slot = self._reserve(name, origin, current)
        row = self.db.one(
            "SELECT password_hash, disabled, grp, role FROM users WHERE name = ?", (name,)
        )
        usable = slot is not None and row is not None and row[0] is not None and not row[1]
        # One Argon2 verification on every path: unknown, locked and disabled too.
        stored = str(row[0]) if usable and row is not None else self._dummy_hash
        checked = self._verify(stored, password)
        if not (usable and checked):
            raise self._refused()
        assert slot is not None and row is not None
        token = f"{_SESSION_PREFIX}_{secrets.token_urlsafe(32)}"
        with self.db.transaction() as tx:
            # A lock set while this password was being checked still wins.
            released = tx.one(
                "UPDATE login_attempts SET failures = CASE WHEN failures > ? "
                "THEN failures - ? ELSE 0 END "
                'WHERE "user" = ? AND source = ? AND (locked_until IS NULL OR locked_until <= ?) '
                "RETURNING failures",
                (slot, slot, name, origin, current),
            )
            if released is None:
                raise self._refused()
            # The source's rate counts failures: an office behind one address
            # signing in at nine is not slowed by its own successes.
            tx.run(
                "UPDATE login_sources SET attempts = CASE WHEN attempts > 0 "
                "THEN attempts - 1 ELSE 0 END WHERE source = ?",
                (origin,),
            )
            tx.run(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (_sha256(token), name, current, current + self.policy.session_s),
            )
        return token, Principal(user=name, group=row[2], role=Role(row[3]))

    def _refused(self) -> AuthenticationError:
        minutes = max(1, round(self.policy.lockout_s / 60))
        return AuthenticationError(LOGIN_REFUSED.format(minutes=minutes))

    def _throttle(self, source: str, now: float) -> None:
        """At most ``attempts_per_minute`` failed (or pending) logins per minute from
        one source, whatever the names; a success gives its attempt back."""
        limit = self.policy.attempts_per_minute
        if limit <= 0:
            return
        # One statement: atomic on both databases, whatever process sends it.
        row = self.db.one(
            "INSERT INTO login_sources VALUES (?, ?, 1) ON CONFLICT(source) DO UPDATE SET "
            "attempts = CASE WHEN login_sources.window_start <= ? THEN 1 "
            "ELSE login_sources.attempts + 1 END, "
            "window_start = CASE WHEN login_sources.window_start <= ? THEN ? "
            "ELSE login_sources.window_start END "
            "RETURNING window_start, attempts",
            (source, now, now - 60, now - 60, now),
        )
        assert row is not None
        start, attempts = float(row[0]), int(row[1])
        if attempts > limit:
            wait = max(1, int(start + 60 - now) + 1)
            raise RateLimited(
                f"Too many login attempts from this address; try again in {wait} s.",
                retry_after=wait,
            )

    def _reserve(self, name: str, source: str, now: float) -> int | None:
        """Count this attempt before its password is checked; its slot number,
        or None when (name, source) is locked (then nothing is checked)."""
        with self.db.transaction() as tx:
            # The count's row, locked until this transaction ends (on SQLite the
            # whole transaction is exclusive): two processes never both read
            # the same count. A new row is made first so there is one to lock.
            new = tx.one(
                'INSERT INTO login_attempts ("user", source, failures, locked_until, last_at) '
                'VALUES (?, ?, 0, NULL, ?) ON CONFLICT("user", source) DO NOTHING RETURNING 1',
                (name, source, now),
            )
            row = tx.one(
                'SELECT failures, locked_until FROM login_attempts WHERE "user" = ? AND source = ?'
                + tx.for_update,
                (name, source),
            )
            assert row is not None
            failures, locked = row
            if locked is not None and now < locked:
                return None
            if locked is not None:
                failures = 0  # the lock has run out
            if failures >= self.policy.max_failed_logins:
                failures, locked, slot = 0, now + self.policy.lockout_s, None
            else:
                failures, locked, slot = failures + 1, None, failures + 1
            tx.run(
                "UPDATE login_attempts SET failures = ?, locked_until = ?, last_at = ? "
                'WHERE "user" = ? AND source = ?',
                (failures, locked, now, name, source),
            )
        if new is not None:
            self._new_counts += 1
            cap = self.policy.max_attempt_records
            if self._new_counts >= max(1, cap // 10) or now - self._pruned_at >= 60:
                self._prune(now)
        return slot

    def _prune(self, now: float) -> None:
        """Drop login counts that no longer matter, then the oldest beyond the cap.
        Kept whatever the cap: the lock on a real account."""
        self._new_counts, self._pruned_at = 0, now
        with self.db.transaction() as tx:
            tx.run(
                "DELETE FROM login_attempts WHERE (locked_until IS NULL OR locked_until <= ?) "
                "AND last_at <= ?",
                (now, now - self.policy.lockout_s),
            )
            tx.run("DELETE FROM login_sources WHERE window_start <= ?", (now - 60,))
            known = '"user" IN (SELECT name FROM users)'
            # Every count but a real account's lock may go.
            may_go = f"NOT ({known} AND COALESCE(locked_until, 0) > ?)"
            counted = tx.one(f"SELECT count(*) FROM login_attempts WHERE {may_go}", (now,))
            excess = (0 if counted is None else int(counted[0])) - self.policy.max_attempt_records
            if excess > 0:
                tx.run(
                    'DELETE FROM login_attempts WHERE ("user", source) IN (SELECT "user", source '
                    f"FROM login_attempts WHERE {may_go} ORDER BY {known}, last_at LIMIT ?)",
                    (now, excess),
                )

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def session(self, token: str, *, now: float | None = None) -> Principal:
        current = time.time() if now is None else now
        row = self.db.one(
            "SELECT u.name, u.grp, u.role, u.disabled, s.expires_at "
            'FROM sessions s JOIN users u ON u.name = s."user" WHERE s.token_hash = ?',
            (_sha256(token),),
        )
        if row is None or row[3] or current >= row[4]:
            raise AuthenticationError("Your session has ended; log in again.")
        return Principal(user=row[0], group=row[1], role=Role(row[2]))

    def logout(self, token: str) -> None:
        self.db.run("DELETE FROM sessions WHERE token_hash = ?", (_sha256(token),))

    # --- API keys ---------------------------------------------------------

    def create(
        self,
        user: str,
        *,
        group: str | None = None,
        role: Role | None = None,
        expires_in_days: float | None = None,
        minted_by: str | None = None,
        now: float | None = None,
    ) -> tuple[str, KeyInfo]:
        """Create a key; returns ``(key, info)``. The key is shown once, never stored.

        ``minted_by`` names whoever made the key when that is not ``user``
        (an administrator, or ``local:<OS user>`` on the command line); the
        user sees it in their own key list, auditors in the chain.

        A user that does not exist yet is created with ``group`` and ``role``;
        for an existing user they must match (change them with ``update_user``).
        """
        if not user.strip():
            raise InvalidRequest("a key needs a user name (--user)")
        try:
            info = self.get_user(user)
        except NotFound:
            info = self.create_user(user, group=group, role=role or Role.USER, now=now)
        if (group is not None and group != info.group) or (role is not None and role != info.role):
            raise InvalidRequest(
                f"user {user!r} is in group {info.group!r} with role {info.role.value!r}; "
                "change that with `gwanmun users update`, not with a new key"
            )
        if info.disabled:
            raise InvalidRequest(f"user {user!r} is disabled; enable it first")
        created = time.time() if now is None else now
        expires = created + expires_in_days * 86400 if expires_in_days else None
        key_id = secrets.token_hex(6)
        key = f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        minter = None if minted_by == user else minted_by
        self.db.run(
            "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            (key_id, _sha256(key), user, info.group, info.role.value, created, expires, minter),
        )
        return key, KeyInfo(key_id, user, info.group, info.role, created, expires, None, minter)

    def authenticate(self, key: str, *, now: float | None = None) -> Principal:
        """The principal behind ``key``; raises AuthenticationError if it is not valid."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != _PREFIX:
            raise AuthenticationError(
                "Invalid API key format. Keys look like 'gwk_…'; create one with "
                "`gwanmun keys create --user NAME`."
            )
        # Read on every request, on every process: a revocation or a disabled
        # account elsewhere holds at the next request here (docs/deployment.md).
        row = self.db.one(
            "SELECT k.key_hash, u.name, u.grp, u.role, k.expires_at, k.revoked_at, u.disabled "
            'FROM api_keys k JOIN users u ON u.name = k."user" WHERE k.key_id = ?',
            (parts[1],),
        )
        if row is None or not hmac.compare_digest(row[0], _sha256(key)):
            raise AuthenticationError("Incorrect API key provided.")
        if row[5] is not None:
            raise AuthenticationError("This API key has been revoked.")
        current = time.time() if now is None else now
        if row[4] is not None and current >= row[4]:
            raise AuthenticationError("This API key has expired; ask for a new one.")
        if row[6]:
            raise AuthenticationError(
                "This account is disabled; ask an administrator.", details={"reason": "disabled"}
            )
        return Principal(user=row[1], group=row[2], role=Role(row[3]), key_id=parts[1])

    def list(self, *, user: str | None = None) -> list[KeyInfo]:
        """Every key (or ``user``'s), oldest first, without secrets."""
        where, params = ('WHERE k."user" = ? ', (user,)) if user is not None else ("", ())
        rows = self.db.all(
            'SELECT k.key_id, k."user", u.grp, u.role, k.created_at, k.expires_at, '
            'k.revoked_at, k.minted_by FROM api_keys k JOIN users u ON u.name = k."user" '
            + where
            + "ORDER BY k.created_at, k.key_id",
            params,
        )
        return [KeyInfo(r[0], r[1], r[2], Role(r[3]), r[4], r[5], r[6], r[7]) for r in rows]

    def key_owner(self, key_id: str) -> str | None:
        row = self.db.one('SELECT "user" FROM api_keys WHERE key_id = ?', (key_id,))
        return None if row is None else str(row[0])

    def revoke(self, key_id: str, *, now: float | None = None) -> None:
        changed = self.db.run(
            "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
            (time.time() if now is None else now, key_id),
        )
        if changed == 0:
            raise NotFound(
                f"no active key with id {key_id!r}; `gwanmun keys list` shows the key ids"
            )


def check_credential_change(actor: Role, target: Role, what: str) -> None:
    """Separation of duties over the API: only an auditor may make or reset an
    auditor's credentials (or make someone an auditor); an administrator never
    can, or they could read the audit log they are audited by. Local access
    (the CLI) is not checked here: whoever holds the host holds the data."""
    if target is Role.AUDITOR and actor is not Role.AUDITOR:
        raise PermissionDenied(
            f"Administrators may not {what} of an auditor (separation of duties). Another "
            "auditor can, through /v1/audit/auditors, or someone with local access: "
            "`gwanmun users` and `gwanmun keys` on the gateway host."
        )


def _user(row: tuple[object, ...]) -> UserInfo:
    name, group, role, has_password, failures, locked, disabled, created = row
    return UserInfo(
        name=str(name),
        group=None if group is None else str(group),
        role=Role(str(role)),
        has_password=bool(has_password),
        failed_logins=int(failures),  # type: ignore[call-overload]
        locked_until=None if locked is None else float(locked),  # type: ignore[arg-type]
        disabled=bool(disabled),
        created_at=float(created),  # type: ignore[arg-type]
    )


def open_accounts(settings: Settings, where: Path | str | Database | None = None) -> AccountStore:
    """The accounts ``where`` says (a ``Database`` or checked connection string),
    else on ``database_url`` when it is set, else in ``data_dir/keys.db``."""
    if where is None:
        from gwanmun.services import shared_database

        where = shared_database(settings) or settings.data_dir / "keys.db"
    a = settings.accounts
    return AccountStore(
        where,
        LoginPolicy(
            max_failed_logins=a.max_failed_logins,
            lockout_s=a.lockout_minutes * 60,
            session_s=a.session_hours * 3600,
            min_password_length=a.min_password_length,
            attempts_per_minute=a.login_attempts_per_minute,
            max_attempt_records=a.max_login_records,
        ),
    )

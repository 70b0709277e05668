"""Accounts: users, groups (departments), roles, API keys and web sessions, in SQLite.

- A **user** has one group and one role (user, admin or auditor; see
  ``gwanmun.types.Role`` and docs/accounts.md). Keys and sessions take the
  user's *current* role and group at every request, so a change or a disabled
  account takes effect at once.
- **API keys** look like ``gwk_<key id>_<secret>``. Only SHA-256 of the whole
  key is stored: the secret is 32 random bytes, so a slow hash would add
  latency to every request without adding safety. Keys expire and are revocable.
- **Passwords** (web login) are hashed with Argon2id (argon2-cffi). After
  ``max_failed_logins`` wrong passwords in a row the account is locked for
  ``lockout_minutes``; a locked account is refused before its password is checked.
- **Sessions** are random tokens stored hashed, with an expiry.

Migrations are an ordered list; ``PRAGMA user_version`` is the number applied.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gwanmun.errors import AuthenticationError, InvalidRequest, NotFound
from gwanmun.settings import Settings
from gwanmun.sqlite import connect, migrate
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
        }


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failed_logins: int = 5
    lockout_s: float = 900.0
    session_s: float = 8 * 3600.0
    min_password_length: int = 12


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class AccountStore:
    """Users, keys and sessions in ``data_dir/keys.db``; safe to share between threads."""

    def __init__(self, path: Path, policy: LoginPolicy | None = None) -> None:
        self.path = path
        self.policy = policy or LoginPolicy()
        self._lock = threading.Lock()
        self._db = connect(path)
        self._hasher = PasswordHasher()
        # Verified against when the user does not exist, so timing does not tell.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            migrate(self._db, MIGRATIONS)

    def close(self) -> None:
        with self._lock:
            self._db.close()

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
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO users (name, grp, role, password_hash, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (name, group, role.value, hashed, created),
                )
            except sqlite3.IntegrityError:
                raise InvalidRequest(f"user {name!r} already exists") from None
        return self.get_user(name)

    def get_user(self, name: str) -> UserInfo:
        with self._lock:
            row = self._db.execute(
                "SELECT name, grp, role, password_hash IS NOT NULL, failed_logins, locked_until, "
                "disabled, created_at FROM users WHERE name = ?",
                (name,),
            ).fetchone()
        if row is None:
            raise NotFound(f"no user {name!r}; `gwanmun users list` shows the users")
        return _user(row)

    def list_users(self) -> list[UserInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT name, grp, role, password_hash IS NOT NULL, failed_logins, locked_until, "
                "disabled, created_at FROM users ORDER BY name"
            ).fetchall()
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
        with self._lock:
            if group is not None:
                self._db.execute("UPDATE users SET grp = ? WHERE name = ?", (group or None, name))
            if role is not None:
                self._db.execute("UPDATE users SET role = ? WHERE name = ?", (role.value, name))
            if disabled is not None:
                self._db.execute(
                    "UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name)
                )
                if disabled:
                    self._db.execute("DELETE FROM sessions WHERE user = ?", (name,))
        return self.get_user(name)

    def set_password(self, name: str, password: str) -> None:
        hashed = self._hash_password(password)
        self.get_user(name)
        with self._lock:
            self._db.execute(
                "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                "WHERE name = ?",
                (hashed, name),
            )
            # A new password ends every open session of the account.
            self._db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    def acknowledge_notice(self, name: str, *, now: float | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE users SET notice_ack_at = ? WHERE name = ?",
                (time.time() if now is None else now, name),
            )

    def notice_acknowledged(self, name: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT notice_ack_at FROM users WHERE name = ?", (name,)
            ).fetchone()
        return row is not None and row[0] is not None

    def unlock(self, name: str) -> None:
        self.get_user(name)
        with self._lock:
            self._db.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", (name,)
            )

    def _hash_password(self, password: str) -> str:
        if len(password) < self.policy.min_password_length:
            raise InvalidRequest(
                f"the password is too short: at least {self.policy.min_password_length} "
                "characters (accounts.min_password_length)"
            )
        return self._hasher.hash(password)

    # --- web login --------------------------------------------------------

    def login(self, name: str, password: str, *, now: float | None = None) -> tuple[str, Principal]:
        """Check a password; returns ``(session token, principal)``.

        Every refusal has the same message except a lock, which the user must
        know about to ask for an unlock.
        """
        current = time.time() if now is None else now
        refused = AuthenticationError("Wrong user name or password.")
        with self._lock:
            row = self._db.execute(
                "SELECT password_hash, failed_logins, locked_until, disabled, grp, role "
                "FROM users WHERE name = ?",
                (name,),
            ).fetchone()
        if row is None or row[0] is None:
            self._verify(self._dummy_hash, password)
            raise refused
        password_hash, _, locked_until, disabled, group, role = row
        if locked_until is not None and current < locked_until:
            minutes = max(1, round((locked_until - current) / 60))
            raise AuthenticationError(
                f"This account is locked after {self.policy.max_failed_logins} failed logins; "
                f"try again in {minutes} min or ask an administrator to unlock it.",
                details={"reason": "locked", "retry_minutes": minutes},
            )
        if not self._verify(password_hash, password):
            with self._lock:
                # Counted in SQL, so concurrent guesses cannot undercount.
                (failures,) = self._db.execute(
                    "UPDATE users SET failed_logins = failed_logins + 1 WHERE name = ? "
                    "RETURNING failed_logins",
                    (name,),
                ).fetchone()
                if failures >= self.policy.max_failed_logins:
                    self._db.execute(
                        "UPDATE users SET failed_logins = 0, locked_until = ? WHERE name = ?",
                        (current + self.policy.lockout_s, name),
                    )
            raise refused
        if disabled:
            raise AuthenticationError(
                "This account is disabled; ask an administrator.", details={"reason": "disabled"}
            )
        token = f"{_SESSION_PREFIX}_{secrets.token_urlsafe(32)}"
        with self._lock:
            self._db.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", (name,)
            )
            self._db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (_sha256(token), name, current, current + self.policy.session_s),
            )
        return token, Principal(user=name, group=group, role=Role(role))

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def session(self, token: str, *, now: float | None = None) -> Principal:
        current = time.time() if now is None else now
        with self._lock:
            row = self._db.execute(
                "SELECT u.name, u.grp, u.role, u.disabled, s.expires_at "
                "FROM sessions s JOIN users u ON u.name = s.user WHERE s.token_hash = ?",
                (_sha256(token),),
            ).fetchone()
        if row is None or row[3] or current >= row[4]:
            raise AuthenticationError("Your session has ended; log in again.")
        return Principal(user=row[0], group=row[1], role=Role(row[2]))

    def logout(self, token: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE token_hash = ?", (_sha256(token),))

    # --- API keys ---------------------------------------------------------

    def create(
        self,
        user: str,
        *,
        group: str | None = None,
        role: Role | None = None,
        expires_in_days: float | None = None,
        now: float | None = None,
    ) -> tuple[str, KeyInfo]:
        """Create a key; returns ``(key, info)``. The key is shown once, never stored.

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
        with self._lock:
            self._db.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (key_id, _sha256(key), user, info.group, info.role.value, created, expires),
            )
        return key, KeyInfo(key_id, user, info.group, info.role, created, expires, None)

    def authenticate(self, key: str, *, now: float | None = None) -> Principal:
        """The principal behind ``key``; raises AuthenticationError if it is not valid."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != _PREFIX:
            raise AuthenticationError(
                "Invalid API key format. Keys look like 'gwk_…'; create one with "
                "`gwanmun keys create --user NAME`."
            )
        with self._lock:
            row = self._db.execute(
                "SELECT k.key_hash, u.name, u.grp, u.role, k.expires_at, k.revoked_at, u.disabled "
                "FROM api_keys k JOIN users u ON u.name = k.user WHERE k.key_id = ?",
                (parts[1],),
            ).fetchone()
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

    def list(self) -> list[KeyInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT k.key_id, k.user, u.grp, u.role, k.created_at, k.expires_at, "
                "k.revoked_at FROM api_keys k JOIN users u ON u.name = k.user "
                "ORDER BY k.created_at"
            ).fetchall()
        return [KeyInfo(r[0], r[1], r[2], Role(r[3]), r[4], r[5], r[6]) for r in rows]

    def revoke(self, key_id: str, *, now: float | None = None) -> None:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                (time.time() if now is None else now, key_id),
            )
        if cursor.rowcount == 0:
            raise NotFound(
                f"no active key with id {key_id!r}; `gwanmun keys list` shows the key ids"
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


def open_accounts(settings: Settings) -> AccountStore:
    a = settings.accounts
    return AccountStore(
        settings.data_dir / "keys.db",
        LoginPolicy(
            max_failed_logins=a.max_failed_logins,
            lockout_s=a.lockout_minutes * 60,
            session_s=a.session_hours * 3600,
            min_password_length=a.min_password_length,
        ),
    )

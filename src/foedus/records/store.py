"""The engagement-records store: users, tokens and log-ins, engagements with their indicators,
assessments and evidence, the append-only audit log — on SQLite (embedded, the default: a file
beside the warehouse) or PostgreSQL (``postgresql+psycopg://…`` for multi-user server mode).

Every read is filtered in the query by the user's clearance (a record above it is reported as not
found, so its existence does not leak); every write checks the role, runs in one transaction with
its audit entry, and edits carry the version they were based on (optimistic locking: a stale
version is refused with :class:`~foedus.errors.EditConflictError`, never applied).

Example:
    >>> store = RecordStore("sqlite://")          # in memory, for the example
    >>> admin = store.system_principal()
    >>> e = store.create_engagement(admin, {"title": "Staff talks", "instrument": "visits",
    ...     "partners": ["Japan"], "start_date": "2024-03-01", "marking": "public"})
    >>> e["version"], e["status"], e["partners"][0]["ccode"]
    (1, 'proposed', 740)
    >>> store.update_engagement(admin, e["id"], {"participants": 12}, version=1)["version"]
    2
    >>> [a["action"] for a in store.audit(admin)]
    ['create', 'update']
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from foedus.errors import (
    AuthenticationError,
    EditConflictError,
    PermissionDeniedError,
    RecordNotFoundError,
    RecordsBusyError,
    RecordsError,
    RecordValidationError,
    TooManyAttemptsError,
)
from foedus.records.vocabulary import MARKINGS, ROLES, STATUSES, visible_markings

__all__ = ["Principal", "RecordStore", "default_database_url", "hash_password", "verify_password"]

SESSION_HOURS = 8
#: Seconds a checked API token is trusted without looking it up again (unless revoked meanwhile).
TOKEN_CACHE_S = 60.0
#: Most seconds between two reads of the shared authentication epoch by one process: a token
#: revoked by another process (or the CLI) is refused here at most this long after it was revoked.
EPOCH_CHECK_S = 1.0
#: Failed log-ins allowed per (user name, client address) within :data:`LOGIN_WINDOW_S`.
LOGIN_LIMIT = 5
LOGIN_WINDOW_S = 300.0
#: Engagement documents kept as JSON per process (keyed by id, version and time of change).
JSON_CACHE_SIZE = 20_000
#: PostgreSQL connections per server process, opened when first needed and then kept: a process
#: answers at most this many requests against the database at once (its other request threads
#: wait for a connection). No overflow: connections opened beyond the pool and closed again after
#: each use made PostgreSQL start thousands of backend processes during the load test.
PG_POOL_SIZE = 20
PG_POOL_OVERFLOW = 0
#: A pooled PostgreSQL connection idle longer than this (seconds) is pinged before it is used
#: again (and replaced if the server went away meanwhile).
PG_IDLE_PING_S = 10.0


@dataclass(frozen=True)
class Principal:
    """Who is acting: user name, role and clearance."""

    username: str
    role: str
    clearance: str

    @property
    def can_write(self) -> bool:
        """Analysts and admins may create and edit engagements."""
        return bool(ROLES[self.role]["write"])

    @property
    def is_admin(self) -> bool:
        """Admins manage users and tokens, delete, and read the audit log."""
        return bool(ROLES[self.role]["admin"])


def default_database_url(warehouse: str | Path | None = None) -> str:
    """``$FOEDUS_DATABASE`` if set, else the embedded SQLite file beside the warehouse
    (``records.sqlite``).

    Example:
        >>> os.environ.pop("FOEDUS_DATABASE", None) and None
        >>> default_database_url("/data/warehouse.duckdb")
        'sqlite:////data/records.sqlite'
    """
    if os.environ.get("FOEDUS_DATABASE"):
        return os.environ["FOEDUS_DATABASE"]
    if warehouse is None:
        from foedus.warehouse import default_path

        warehouse = default_path()
    return f"sqlite:///{Path(warehouse).expanduser().resolve().parent / 'records.sqlite'}"


# ---------------------------------------------------------------------------------------------
# secrets
# ---------------------------------------------------------------------------------------------
def hash_password(password: str) -> str:
    """scrypt hash of a password with a random salt (``scrypt$n$r$p$salt$hash``).

    Example:
        >>> h = hash_password("correct horse")
        >>> verify_password("correct horse", h), verify_password("wrong", h)
        (True, False)
    """
    salt = secrets.token_bytes(16)
    n, r, p = 2**14, 8, 1
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches a :func:`hash_password` hash (constant-time compare)."""
    if not stored:
        return False
    try:
        _, n, r, p, salt, digest = stored.split("$")
        fresh = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(fresh.hex(), digest)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _stamp(value: Any) -> str:
    """A row's ``updated_at`` as one canonical text (UTC ISO 8601), whatever the driver returned
    (a datetime with or without zone, or SQLite's text), for the document cache's keys.

    Example:
        >>> _stamp("2024-03-01 10:00:00.000001") == _stamp(datetime(2024, 3, 1, 10, 0, 0, 1, UTC))
        True
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return str(_aware(value).astimezone(UTC).isoformat())


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral() else int(value)
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------------------------
# the store
# ---------------------------------------------------------------------------------------------
class RecordStore:
    """Engagement records in a SQL database, migrated to the current schema on open.

    Args:
        url: a SQLAlchemy URL (``sqlite:///path``, ``postgresql+psycopg://user:pw@host/db``) or a
            path to a SQLite file; default :func:`default_database_url`.
        busy_timeout_s: SQLite: how long a writer waits for the write lock held by another
            process before :class:`~foedus.errors.RecordsBusyError`.
    """

    def __init__(self, url: str | Path | None = None, *, migrate: bool = True,
                 busy_timeout_s: float = 30.0) -> None:
        from sqlalchemy import create_engine, event
        from sqlalchemy.exc import ArgumentError
        from sqlalchemy.orm import sessionmaker

        # When this process last found a PostgreSQL connection dead (the server restarted or
        # closed it): every pooled connection given back before then is pinged before reuse.
        self._lost = [float("-inf")]
        text = str(url) if url is not None else default_database_url()
        if "://" not in text:
            text = f"sqlite:///{Path(text).expanduser().resolve()}"
        self.url = text
        try:
            if text.startswith("sqlite"):
                path = text.split("///", 1)[1] if "///" in text else ""
                if path and path != ":memory:":
                    parent = Path(path).parent
                    if not parent.is_dir():
                        raise RecordsError(f"folder {parent} does not exist", where=text,
                                           fix="create the folder or give another --database")
                    if Path(path).is_dir():
                        raise RecordsError("the database path is a folder", where=text,
                                           fix="give a file name, e.g. records.sqlite")
                from sqlalchemy.pool import StaticPool

                kwargs: dict[str, Any] = {"connect_args": {"timeout": busy_timeout_s,
                                                           "check_same_thread": False}}
                if not path or path == ":memory:":
                    kwargs["poolclass"] = StaticPool
                engine = create_engine(text, **kwargs)
                event.listen(engine, "connect", lambda c, r: _sqlite_connect(c, r, busy_timeout_s))
                event.listen(engine, "begin", _sqlite_begin)
            else:
                # At most PG_POOL_SIZE + PG_POOL_OVERFLOW connections per process (PostgreSQL
                # allows 100 by default, shared by every server process and other clients);
                # threads beyond that wait for one. A connection is pinged before use only when it
                # sat idle (a ping on every checkout was one more round trip per request).
                engine = create_engine(text, pool_size=PG_POOL_SIZE, max_overflow=PG_POOL_OVERFLOW,
                                       pool_timeout=30)
                event.listen(engine, "checkout", _ping_if_idle(engine, self._lost))
                event.listen(engine, "checkin", _note_checkin)
        except ArgumentError as exc:
            raise RecordsError(f"not a database URL: {exc}", where=text,
                               fix="use sqlite:///FILE or postgresql+psycopg://USER:PW@HOST/DB") from None
        self.engine = engine
        self.dialect = engine.dialect.name
        # PostgreSQL: one-statement reads run in autocommit (no BEGIN / COMMIT round trips; a
        # single statement sees one snapshot), reads of several statements in a REPEATABLE READ
        # transaction (psycopg sends BEGIN ISOLATION LEVEL …: no separate SET).
        postgres = self.dialect == "postgresql"
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT") if postgres else None
        self._snapshot = (engine.execution_options(isolation_level="REPEATABLE READ") if postgres
                          else engine)
        # Core statements of the hot paths, built once per process (SQLAlchemy caches their
        # compiled form; building and hashing a new select() per request costs more than it).
        self._statements: dict[tuple[str, str], Any] = {}
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.login_limit, self.login_window = LOGIN_LIMIT, LOGIN_WINDOW_S
        self._write_lock = threading.RLock() if self.dialect == "sqlite" else None
        # API tokens checked recently: digest → (when, principal, authentication epoch). An entry
        # serves for TOKEN_CACHE_S seconds while the shared epoch is unchanged; every revocation
        # bumps the epoch in its own transaction, this process re-reads it at least every
        # EPOCH_CHECK_S seconds and drops the whole cache when it moved.
        self._token_cache: dict[str, tuple[float, Principal, int]] = {}
        self._epoch, self._epoch_read = 0, float("-inf")
        # JSON of engagement documents by (id, version, updated_at): every change of an
        # engagement or of its children moves its version on, so a key read in the same query
        # as the visibility check always names the current document (in any process).
        self._json_cache: OrderedDict[tuple[int, int, str], bytes] = OrderedDict()
        self._json_lock = threading.Lock()
        self._epoch_lock = threading.Lock()
        if migrate:
            self.migrate()

    # -- plumbing -------------------------------------------------------------------------------
    def migrate(self) -> str:
        """Bring the schema to the newest Alembic revision; returns it."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy.exc import OperationalError

        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        try:
            # Several server processes may open a fresh database at once: the migration runs
            # under the write lock (SQLite BEGIN IMMEDIATE; a PostgreSQL advisory lock), so one
            # creates the schema and the others then find it at the newest revision.
            with self.engine.execution_options(foedus_write=True).begin() as conn:
                if self.dialect == "postgresql":
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7716051815)")
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                revision = MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise RecordsError(f"cannot open the records database ({exc.orig})", where=self.url,
                               fix="check the URL, that the server runs and the user may connect"
                               ) from None
        return str(revision)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Any]:
        if not write:
            with self._sessions(bind=self.engine) as session, session.begin():
                yield session
            return
        with self._writing():
            bind = self.engine.execution_options(foedus_write=True)
            with self._sessions(bind=bind) as session, session.begin():
                yield session

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Around every write transaction: on SQLite one writer per process at a time (the
        others wait on a lock instead of polling SQLite's), and a write lock held by other
        processes past the busy timeout becomes :class:`RecordsBusyError` (503), not a crash."""
        from sqlalchemy.exc import OperationalError

        try:
            if self._write_lock is None:
                yield
            else:
                with self._write_lock:
                    yield
        except OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise RecordsBusyError("the records database stayed locked by other writers "
                                       "past the busy timeout; nothing was written", where=self.url,
                                       fix="retry in a few seconds") from None
            raise

    def _audit(self, session: Any, actor: str, action: str, entity: str, entity_id: int | None,
               before: Any = None, after: Any = None) -> None:
        from sqlalchemy import insert

        from foedus.records.models import AuditEntry

        values = dict(
            at=_now(), actor=actor, action=action, entity=entity, entity_id=entity_id,
            before=None if before is None else json.dumps(before, default=_plain, sort_keys=True),
            after=None if after is None else json.dumps(after, default=_plain, sort_keys=True))
        if hasattr(session, "add"):  # an ORM session: in its unit of work
            session.add(AuditEntry(**values))
        else:  # a core connection
            session.execute(insert(_t("audit_log")).values(**values))

    @staticmethod
    def system_principal(name: str = "cli") -> Principal:
        """The local operator (CLI on the machine that holds the database): an admin."""
        return Principal(name, "admin", "restricted")

    # -- users, tokens, log-ins -----------------------------------------------------------------
    def add_user(self, actor: Principal, username: str, role: str, *, password: str | None = None,
                 clearance: str | None = None) -> dict[str, Any]:
        """Create a user (admins only)."""
        from sqlalchemy import select

        from foedus.records.models import User

        _require_admin(actor)
        if role not in ROLES:
            raise RecordValidationError(f"unknown role '{role}'", fix="use one of: " + ", ".join(ROLES))
        clearance = clearance or str(ROLES[role]["clearance"])
        if clearance not in MARKINGS:
            raise RecordValidationError(f"unknown clearance '{clearance}'",
                                        fix="use one of: " + ", ".join(MARKINGS))
        name = username.strip()
        if not name or len(name) > 80:
            raise RecordValidationError("a user name needs 1 to 80 characters")
        if password is not None and len(password) < 12:
            raise RecordValidationError("the password is shorter than 12 characters",
                                        fix="choose a passphrase of 12 characters or more")
        with self._session(write=True) as s:
            if s.scalar(select(User).where(User.username == name)) is not None:
                raise RecordValidationError(f"user '{name}' exists already")
            user = User(username=name, role=role, clearance=clearance, active=True,
                        created_at=_now(),
                        password_hash=hash_password(password) if password else None)
            s.add(user)
            s.flush()
            doc = {"id": user.id, "username": name, "role": role, "clearance": clearance}
            self._audit(s, actor.username, "create", "user", user.id, after=doc)
        return doc

    def users(self, actor: Principal) -> list[dict[str, Any]]:
        """Every user (admins only)."""
        from sqlalchemy import select

        from foedus.records.models import User

        _require_admin(actor)
        with self._session() as s:
            return [{"id": u.id, "username": u.username, "role": u.role, "clearance": u.clearance,
                     "active": u.active} for u in s.scalars(select(User).order_by(User.id))]

    def create_token(self, actor: Principal, username: str, name: str = "api") -> str:
        """A new API token for ``username`` (admins, or users for themselves). The secret is
        returned once; only its SHA-256 is stored."""
        from sqlalchemy import select

        from foedus.records.models import ApiToken, User

        if not actor.is_admin and actor.username != username:
            raise PermissionDeniedError("only admins may create tokens for other users")
        secret = "fdr_" + secrets.token_urlsafe(32)
        with self._session(write=True) as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise RecordNotFoundError(f"no user '{username}'",
                                          fix="create it: foedus records user add NAME --role ROLE")
            token = ApiToken(user_id=user.id, name=name, token_hash=_sha256(secret),
                             created_at=_now())
            s.add(token)
            s.flush()
            self._audit(s, actor.username, "create", "token", token.id,
                        after={"user": username, "name": name})
        return secret

    def revoke_tokens(self, actor: Principal, username: str) -> int:
        """Revoke every token of ``username``; returns how many."""
        from sqlalchemy import select

        from foedus.records.models import ApiToken, User

        _require_admin(actor)
        with self._session(write=True) as s:
            tokens = s.scalars(select(ApiToken).join(User).where(
                User.username == username, ApiToken.revoked_at.is_(None))).all()
            for token in tokens:
                token.revoked_at = _now()
            s.flush()
            epoch = self._bump_epoch(s)
            self._audit(s, actor.username, "revoke", "token", None,
                        after={"user": username, "revoked": len(tokens)})
        self._saw_epoch(epoch, time.monotonic())
        return len(tokens)

    @staticmethod
    def _bump_epoch(s: Any) -> int:
        """Move the shared authentication epoch on (inside the revoking transaction)."""
        from sqlalchemy import update

        from foedus.records.models import AuthEpoch

        s.execute(update(AuthEpoch).where(AuthEpoch.id == 1).values(epoch=AuthEpoch.epoch + 1))
        return int(s.scalar(_epoch_query()))

    def _saw_epoch(self, epoch: int, when: float) -> None:
        """Note the shared epoch read at ``when``; a newer one empties the token cache."""
        with self._epoch_lock:
            if epoch != self._epoch:
                self._token_cache.clear()
                self._epoch = epoch
            self._epoch_read = max(self._epoch_read, when)

    def auth_epoch(self) -> int:
        """The shared authentication epoch (read from the database at most every
        :data:`EPOCH_CHECK_S` seconds per process); it moves on with every token revocation.

        Example:
            >>> RecordStore("sqlite://").auth_epoch()
            1
        """
        now = time.monotonic()
        if now - self._epoch_read >= EPOCH_CHECK_S:
            with self._single() as conn:
                self._saw_epoch(int(conn.execute(self._statement("epoch")).scalar_one()), now)
        return self._epoch

    def cached_token(self, secret: str) -> Principal | None:
        """The user of an API token if this process can answer without the database: the token
        was found valid less than :data:`TOKEN_CACHE_S` seconds ago and the shared epoch (moved
        by every revocation) was read less than :data:`EPOCH_CHECK_S` seconds ago and has not
        moved since. Otherwise None: call :meth:`authenticate_token`.

        Example:
            >>> store = RecordStore("sqlite://")
            >>> store.add_user(store.system_principal(), "ana", "viewer")["role"]
            'viewer'
            >>> secret = store.create_token(store.system_principal(), "ana")
            >>> store.cached_token(secret) is None                  # never checked here yet
            True
            >>> store.authenticate_token(secret).username, store.cached_token(secret).username
            ('ana', 'ana')
            >>> _ = store.revoke_tokens(store.system_principal(), "ana")
            >>> store.cached_token(secret) is None                  # the revocation emptied it
            True
        """
        now = time.monotonic()
        if now - self._epoch_read >= EPOCH_CHECK_S:
            return None
        cached = self._token_cache.get(_sha256(secret))
        if cached is not None and cached[2] == self._epoch and now - cached[0] < TOKEN_CACHE_S:
            return cached[1]
        return None

    def authenticate_token(self, secret: str) -> Principal:
        """The user of an API token; :class:`AuthenticationError` when unknown or revoked.

        A token found valid is trusted for :data:`TOKEN_CACHE_S` seconds without a new look-up,
        unless a revocation moved the shared epoch meanwhile: a revocation in this process
        takes effect at once, one by another process (or the CLI) within :data:`EPOCH_CHECK_S`.
        """
        digest = _sha256(secret)
        epoch = self.auth_epoch()
        cached = self._token_cache.get(digest)
        if cached is not None and cached[2] == epoch and time.monotonic() - cached[0] < TOKEN_CACHE_S:
            return cached[1]
        when = time.monotonic()
        with self._single() as conn:
            row = conn.execute(self._statement("token"), {"digest": digest}).first()
        if row is None or row[4] is not None or not row[3]:
            self._token_cache.pop(digest, None)
            raise AuthenticationError("the API token is unknown or revoked",
                                      fix="ask an admin for a token: foedus records token create")
        principal = Principal(row[0], row[1], row[2])
        self._saw_epoch(int(row[5]), when)
        if len(self._token_cache) > 10_000:
            self._token_cache.clear()
        self._token_cache[digest] = (when, principal, int(row[5]))
        return principal

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until ``username`` may try to log in again from ``address`` (0: now).

        Failed attempts are kept in the database, so the limit holds across server processes.

        Example:
            >>> store = RecordStore("sqlite://")
            >>> for _ in range(5):
            ...     try:
            ...         store.login("nobody", "wrong password", address="10.0.0.1")
            ...     except Exception:
            ...         pass
            >>> store.retry_after("nobody", "10.0.0.1") > 0, store.retry_after("nobody", "10.0.0.2")
            (True, 0)
        """
        with self.engine.connect() as conn:
            return self._retry_after(conn, username, address)

    def _retry_after(self, conn: Any, username: str, address: str) -> int:
        from sqlalchemy import select

        from foedus.records.models import LoginFailure

        now = time.time()
        times = conn.execute(
            select(LoginFailure.at).where(
                LoginFailure.username == username.lower()[:80],
                LoginFailure.address == address[:64],
                LoginFailure.at > now - self.login_window)
            .order_by(LoginFailure.at.desc()).limit(self.login_limit)).scalars().all()
        if len(times) < self.login_limit:
            return 0
        return max(1, int(self.login_window - (now - min(times))) + 1)

    def login(self, username: str, password: str, *, address: str = "local"
              ) -> tuple[Principal, str, str]:
        """Check a password; returns the user, a session secret and a CSRF secret.

        More than :data:`LOGIN_LIMIT` failures for one user name from one address within
        :data:`LOGIN_WINDOW_S` raise :class:`TooManyAttemptsError` before the password is even
        checked (counted in the database: the limit holds across server processes).
        """
        from sqlalchemy import delete, select

        from foedus.records.models import LoginFailure, LoginSession, User

        key, where = username.lower()[:80], address[:64]
        with self._session(write=True) as s:
            if self.dialect == "postgresql":  # one check-and-count at a time per key
                s.execute(select(_advisory_lock(f"login:{key}:{where}")))
            wait = self._retry_after(s, username, address)
            if wait:
                raise TooManyAttemptsError(f"too many failed log-ins for '{username}'",
                                           retry_after=wait, fix=f"wait {wait} s and try again")
            user = s.scalar(select(User).where(User.username == username))
            ok = user is not None and user.active and verify_password(password, user.password_hash)
            if not ok:
                now = time.time()
                s.execute(delete(LoginFailure).where(LoginFailure.at < now - self.login_window))
                s.add(LoginFailure(username=key, address=where, at=now))
                self._audit(s, username[:80], "login-failed", "user",
                            user.id if user is not None else None, after={"address": address})
            else:
                assert user is not None
                s.execute(delete(LoginFailure).where(LoginFailure.username == key,
                                                     LoginFailure.address == where))
                session_secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                s.add(LoginSession(user_id=user.id, session_hash=_sha256(session_secret),
                                   csrf_hash=_sha256(csrf), created_at=_now(),
                                   expires_at=_now() + timedelta(hours=SESSION_HOURS)))
                self._audit(s, user.username, "login", "user", user.id,
                            after={"address": address})
                principal = Principal(user.username, user.role, user.clearance)
        if not ok:
            raise AuthenticationError("wrong user name or password")
        return principal, session_secret, csrf

    def authenticate_session(self, session_secret: str, *, csrf: str | None = None,
                             require_csrf: bool = False) -> Principal:
        """The user of a dashboard session cookie; for unsafe methods the CSRF token must match."""
        from sqlalchemy import select

        from foedus.records.models import LoginSession, User

        query = (select(User.username, User.role, User.clearance, User.active,
                        LoginSession.expires_at, LoginSession.csrf_hash)
                 .join(User, User.id == LoginSession.user_id)
                 .where(LoginSession.session_hash == _sha256(session_secret)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or _aware(row[4]) < _now() or not row[3]:
            raise AuthenticationError("the session has expired or is unknown", fix="log in again")
        if require_csrf and (csrf is None or not hmac.compare_digest(_sha256(csrf), row[5])):
            raise PermissionDeniedError("missing or wrong CSRF token",
                                        fix="send the X-CSRF-Token header the log-in returned")
        return Principal(row[0], row[1], row[2])

    def logout(self, session_secret: str) -> None:
        """End a dashboard session."""
        from sqlalchemy import select

        from foedus.records.models import LoginSession

        with self._session(write=True) as s:
            row = s.scalar(select(LoginSession).where(
                LoginSession.session_hash == _sha256(session_secret)))
            if row is not None:
                row.expires_at = _now()

    # -- engagements ---------------------------------------------------------------------------
    def _visible(self, actor: Principal) -> Any:
        from foedus.records.models import Engagement

        return Engagement.marking.in_(visible_markings(actor.clearance))

    def _load(self, s: Any, actor: Principal, engagement_id: int, *, lock: bool = False) -> Any:
        from sqlalchemy import select

        from foedus.records.models import Engagement

        query = select(Engagement).where(Engagement.id == engagement_id, self._visible(actor))
        query = query.options(*_eager())
        if lock and self.dialect == "postgresql":
            query = query.with_for_update()
        found = s.scalar(query)
        if found is None:
            raise RecordNotFoundError(f"no engagement {engagement_id}",
                                      fix="list the engagements you may see: foedus records list")
        return found

    @staticmethod
    def _document(e: Any) -> dict[str, Any]:
        """The document of an ORM-loaded engagement (same shape as the core-SQL reads)."""
        doc = {c: _plain(getattr(e, c)) for c in _ENGAGEMENT_COLUMNS}
        doc["partners"] = [_partner_doc(p) for p in e.partners]
        doc["indicators"] = [_indicator_doc(i) for i in e.indicators]
        doc["assessments"] = [_assessment_doc(a) for a in e.assessments]
        doc["evidence"] = [_evidence_doc(v) for v in e.evidence]
        return doc

    def list_engagements(self, actor: Principal, *, partner: int | None = None,
                         status: str | None = None, instrument: str | None = None,
                         year: int | None = None, limit: int = 1000, offset: int = 0
                         ) -> list[dict[str, Any]]:
        """Engagements the user may see, newest first; filters by partner COW code, status,
        instrument and year (active in that year)."""
        query = self._list_query(actor, partner, status, instrument, year)
        with self._read() as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
            return _documents(conn, rows)

    def _list_query(self, actor: Principal, partner: int | None, status: str | None,
                    instrument: str | None, year: int | None) -> Any:
        from sqlalchemy import select

        from foedus.records.models import Partner

        table = _t("engagements")
        query = select(*(table.c[c] for c in _ENGAGEMENT_COLUMNS)).where(
            table.c.marking.in_(visible_markings(actor.clearance)))
        if partner is not None:
            query = query.where(table.c.id.in_(
                select(Partner.engagement_id).where(Partner.ccode == partner)))
        if status is not None:
            query = query.where(table.c.status == status)
        if instrument is not None:
            query = query.where(table.c.instrument == instrument)
        if year is not None:
            query = query.where(table.c.start_date <= date(year, 12, 31)).where(
                (table.c.end_date.is_(None)) | (table.c.end_date >= date(year, 1, 1)))
        return query.order_by(table.c.start_date.desc(), table.c.id.desc())

    def get_engagement(self, actor: Principal, engagement_id: int) -> dict[str, Any]:
        """One engagement with its partners, indicators (and progress), assessments, evidence."""
        with self._read() as conn:
            return self._fetch(conn, actor, engagement_id)

    def engagement_json(self, actor: Principal, engagement_id: int) -> tuple[int, bytes]:
        """:meth:`get_engagement` as compact UTF-8 JSON, with its version (for an ETag).

        One indexed query checks visibility and reads the version; the JSON of that version is
        built once per process and kept (:data:`JSON_CACHE_SIZE` documents).

        Example:
            >>> store = RecordStore("sqlite://")
            >>> admin = store.system_principal()
            >>> e = store.create_engagement(admin, {"title": "Talks", "instrument": "visits",
            ...     "partners": ["Japan"], "start_date": "2024-03-01", "marking": "public"})
            >>> version, body = store.engagement_json(admin, e["id"])
            >>> version, json.loads(body)["title"]
            (1, 'Talks')
        """
        query = self._statement("key", actor.clearance)
        keys: list[Any] = self._key(engagement_id, actor.clearance)  # usually all it takes
        if not keys:
            raise RecordNotFoundError(f"no engagement {engagement_id}",
                                      fix="list the engagements you may see: foedus records list")
        body = self._cached(keys)[0]
        if body is None:  # build it from one snapshot, visibility checked again there
            with self._read() as conn:
                keys = conn.execute(query, {"id": engagement_id}).all()
                if not keys:
                    raise RecordNotFoundError(f"no engagement {engagement_id}", fix="list the "
                                              "engagements you may see: foedus records list")
                body = self._cached_json(conn, actor, keys)[0]
        return int(keys[0][1]), body

    def engagements_json(self, actor: Principal, *, partner: int | None = None,
                         status: str | None = None, instrument: str | None = None,
                         year: int | None = None, limit: int = 1000, offset: int = 0
                         ) -> tuple[int, bytes]:
        """:meth:`list_engagements` as a JSON array (bytes), with the number of engagements.

        Example:
            >>> store = RecordStore("sqlite://")
            >>> store.engagements_json(store.system_principal())
            (0, b'[]')
        """


        table = _t("engagements")
        query = self._list_query(actor, partner, status, instrument, year).with_only_columns(
            table.c.id, table.c.version, table.c.updated_at).limit(limit).offset(offset)
        with self._single() as conn:  # the usual case: one statement, every document cached
            keys = conn.execute(query).all()
            cached = self._cached(keys)
        parts = [p for p in cached if p is not None]
        if len(parts) < len(cached):  # build the missing ones from one snapshot
            with self._read() as conn:
                keys = conn.execute(query).all()
                parts = self._cached_json(conn, actor, keys)
        return len(parts), b"[" + b",".join(parts) + b"]"

    def _cached_json(self, conn: Any, actor: Principal, keys: list[Any]) -> list[bytes]:
        """JSON of the engagements ``keys`` (id, version, updated_at), building the missing
        ones in this transaction (so they are of exactly these versions)."""
        from sqlalchemy import select

        wanted = [(int(k[0]), int(k[1]), _stamp(k[2])) for k in keys]
        with self._json_lock:
            found = {k: self._json_cache.get(k) for k in wanted}
        missing = [k for k, v in found.items() if v is None]
        if missing:
            table = _t("engagements")
            rows = conn.execute(select(*(table.c[c] for c in _ENGAGEMENT_COLUMNS)).where(
                table.c.id.in_([k[0] for k in missing]))).all()
            built = {d["id"]: d for d in _documents(conn, rows)}
            with self._json_lock:
                for key in missing:
                    doc = built.get(key[0])
                    if doc is None or doc["version"] != key[1]:
                        raise RecordsError("an engagement changed during the read",
                                           fix="retry the request")
                    body = _json_bytes(doc)
                    found[key] = self._json_cache[key] = body
                while len(self._json_cache) > JSON_CACHE_SIZE:
                    self._json_cache.popitem(last=False)
        return [found[k] or b"" for k in wanted]

    def _cached(self, keys: list[Any]) -> list[bytes | None]:
        """The cached JSON of the engagements ``keys`` (id, version, updated_at); None where
        this process has not built that version yet."""
        with self._json_lock:
            return [self._json_cache.get((int(k[0]), int(k[1]), _stamp(k[2]))) for k in keys]

    def _remember(self, doc: dict[str, Any], updated_at: Any) -> None:
        """Keep the JSON of a document just committed (its row's ``updated_at`` as read back)."""
        with self._json_lock:
            self._json_cache[(int(doc["id"]), int(doc["version"]), _stamp(updated_at))] = (
                _json_bytes(doc))
            while len(self._json_cache) > JSON_CACHE_SIZE:
                self._json_cache.popitem(last=False)

    def _statement(self, kind: str, clearance: str = "") -> Any:
        """A Core statement of a hot path, built once: ``key`` (id, version, updated_at of the
        engagement ``:id`` if visible at ``clearance`` — the marking filter is in the SQL),
        ``token`` (the user of the token hash ``:digest``, with the shared epoch), ``epoch``."""
        found = self._statements.get((kind, clearance))
        if found is not None:
            return found
        from sqlalchemy import bindparam, select

        from foedus.records.models import ApiToken, User

        if kind == "key":
            table = _t("engagements")
            found = select(table.c.id, table.c.version, table.c.updated_at).where(
                table.c.id == bindparam("id"), table.c.marking.in_(visible_markings(clearance)))
        elif kind == "locked":
            table = _t("engagements")
            found = select(*(table.c[c] for c in _ENGAGEMENT_COLUMNS)).where(
                table.c.id == bindparam("id"), table.c.marking.in_(visible_markings(clearance)))
            if self.dialect == "postgresql":
                found = found.with_for_update()
        elif kind == "token":
            found = (select(User.username, User.role, User.clearance, User.active,
                            ApiToken.revoked_at, _epoch_query().scalar_subquery())
                     .join(User, User.id == ApiToken.user_id)
                     .where(ApiToken.token_hash == bindparam("digest")))
        elif kind == "epoch":
            found = _epoch_query()
        else:
            raise ValueError(kind)
        self._statements[(kind, clearance)] = found
        return found

    def _key(self, engagement_id: int, clearance: str, *, again: bool = True
             ) -> list[tuple[Any, ...]]:
        """``[(id, version, updated_at)]`` of the engagement if visible at ``clearance`` (the
        marking filter is in the SQL), else ``[]``: one statement on a pooled connection,
        straight through the driver (autocommit; a server-side prepared statement on
        PostgreSQL after a few uses) — the hottest query, where SQLAlchemy's execution
        machinery cost twice what the driver and the database do."""
        markings = visible_markings(clearance)
        mark = "%s" if self.dialect == "postgresql" else "?"
        sql = (f"SELECT id, version, updated_at FROM engagements WHERE id = {mark} "
               f"AND marking IN ({', '.join([mark] * len(markings))})")
        raw = self.engine.raw_connection()
        driver: Any = raw.driver_connection
        try:
            if self.dialect == "postgresql":
                driver.autocommit = True
                try:
                    rows = driver.execute(sql, (engagement_id, *markings)).fetchall()
                finally:
                    if not driver.closed:
                        driver.autocommit = False
            else:  # sqlite3 without isolation_level: a lone SELECT is its own transaction
                rows = driver.execute(sql, (engagement_id, *markings)).fetchall()
        except Exception:
            raw.invalidate()  # a connection in an unknown state is not given back to the pool
            if again and self.dialect == "postgresql" and driver.closed:
                # The server went away (restart, idle timeout): the other pooled connections
                # are pinged before reuse, and this read (nothing written) is tried once more.
                self._lost[0] = time.monotonic()
                return self._key(engagement_id, clearance, again=False)
            raise
        finally:
            raw.close()
        return [tuple(r) for r in rows]

    @contextmanager
    def _single(self) -> Iterator[Any]:
        """A core connection for reads of one statement each: autocommit on PostgreSQL (no
        BEGIN/COMMIT round trips; one statement sees one snapshot), a read transaction on SQLite
        (in-process, no round trip)."""
        if self._autocommit is None:
            with self._read() as conn:
                yield conn
            return
        with self._autocommit.connect() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """A read-only transaction on a core connection: one consistent snapshot (SQLite's
        read transaction; REPEATABLE READ on PostgreSQL, whose READ COMMITTED would let each
        statement see later commits)."""
        with self._snapshot.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """A write transaction on a core connection (SQLite: BEGIN IMMEDIATE)."""
        with self._writing(), self.engine.execution_options(foedus_write=True).begin() as conn:
            yield conn

    def _fetch(self, conn: Any, actor: Principal, engagement_id: int, *, lock: bool = False
               ) -> dict[str, Any]:
        """The document of one engagement visible to ``actor`` (core SQL; FOR UPDATE on
        PostgreSQL when ``lock``), or :class:`RecordNotFoundError`."""
        from sqlalchemy import select


        table = _t("engagements")
        query = select(*(table.c[c] for c in _ENGAGEMENT_COLUMNS)).where(
            table.c.id == engagement_id, table.c.marking.in_(visible_markings(actor.clearance)))
        if lock and self.dialect == "postgresql":
            query = query.with_for_update()
        rows = conn.execute(query).all()
        if not rows:
            raise RecordNotFoundError(f"no engagement {engagement_id}",
                                      fix="list the engagements you may see: foedus records list")
        return _documents(conn, rows)[0]

    def create_engagement(self, actor: Principal, data: Mapping[str, Any]) -> dict[str, Any]:
        """Create an engagement (status ``proposed`` unless given); analysts and admins."""
        from foedus.records.validation import validate_engagement

        _require_write(actor)
        clean, problems = validate_engagement(data)
        if problems:
            raise RecordValidationError("the engagement is not valid", problems=problems,
                                        fix="correct the listed fields")
        return self._insert(actor, clean)

    def _insert(self, actor: Principal, clean: dict[str, Any], session: Any = None) -> dict[str, Any]:
        from foedus.records.models import Engagement, Partner

        if clean.get("marking") and clean["marking"] not in visible_markings(actor.clearance):
            raise PermissionDeniedError(f"your clearance ({actor.clearance}) is below the marking "
                                        f"'{clean['marking']}'")
        fields = {k: v for k, v in clean.items() if k != "partners"}
        fields.setdefault("status", "proposed")
        now = _now()

        def go(s: Any) -> dict[str, Any]:
            e = Engagement(**fields, created_by=actor.username, created_at=now, updated_at=now)
            e.partners = [Partner(position=i, **p) for i, p in enumerate(clean["partners"])]
            s.add(e)
            s.flush()
            doc = self._document(e)
            self._audit(s, actor.username, "create", "engagement", e.id, after=doc)
            return doc

        if session is not None:
            return go(session)
        with self._session(write=True) as s:
            return go(s)

    def update_engagement(self, actor: Principal, engagement_id: int, changes: Mapping[str, Any],
                          *, version: int) -> dict[str, Any]:
        """Edit fields of an engagement last seen at ``version``; a newer version in the database
        means someone else edited it: :class:`EditConflictError`, nothing changed."""
        from sqlalchemy import delete, insert, select

        from foedus.records.validation import validate_engagement

        _require_write(actor)
        clean, problems = validate_engagement(changes, partial=True)
        if "status" in clean:
            problems.append({"column": "status", "value": clean["status"],
                             "reason": "change the status with the status transition"})
        if problems:
            raise RecordValidationError("the change is not valid", problems=problems,
                                        fix="correct the listed fields")
        with self._write() as conn:
            before = self._locked(conn, actor, engagement_id)
            if before["version"] != version:
                raise EditConflictError(
                    f"engagement {engagement_id} is at version {before['version']}, the edit was "
                    f"based on version {version}", fix="reload the engagement and apply the edit again")
            if "marking" in clean and clean["marking"] not in visible_markings(actor.clearance):
                raise PermissionDeniedError("the new marking is above your clearance")
            start = clean.get("start_date", date.fromisoformat(before["start_date"]))
            end = clean["end_date"] if "end_date" in clean else (
                None if before["end_date"] is None else date.fromisoformat(before["end_date"]))
            if end is not None and end < start:
                raise RecordValidationError("the change is not valid", problems=[
                    {"column": "end_date", "value": str(end), "reason": "before the start date"}])
            fields = {k: v for k, v in clean.items() if k != "partners"}
            after, stamp = self._bump(conn, engagement_id, version, fields, before)
            if "partners" in clean:
                partners = _t("engagement_partners")
                conn.execute(delete(partners).where(partners.c.engagement_id == engagement_id))
                conn.execute(insert(partners), [
                    {"engagement_id": engagement_id, "position": i, **p}
                    for i, p in enumerate(clean["partners"])])
                after["partners"] = [_partner_doc(p) for p in conn.execute(
                    select(partners).where(partners.c.engagement_id == engagement_id)
                    .order_by(partners.c.position))]
            self._audit(conn, actor.username, "update", "engagement", engagement_id, before, after)
        self._remember(after, stamp)
        return after

    def _bump(self, conn: Any, engagement_id: int, version: int, fields: dict[str, Any],
              before: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        """UPDATE the engagement row only if it is still at ``version`` (and move the version
        on); no row changed means a concurrent edit won: :class:`EditConflictError`. Returns the
        new document — the row as the database returned it (``RETURNING``) with ``before``'s
        partners, indicators, assessments and evidence — and the row's new ``updated_at``."""
        from sqlalchemy import update

        table = _t("engagements")
        row = conn.execute(update(table).where(table.c.id == engagement_id,
                                               table.c.version == version)
                           .values(**fields, version=version + 1, updated_at=_now())
                           .returning(*(table.c[c] for c in _ENGAGEMENT_COLUMNS))).first()
        if row is None:
            raise EditConflictError(f"engagement {engagement_id} was changed by someone else",
                                    fix="reload the engagement and apply the edit again")
        after = {**before, **{c: _plain(v) for c, v in zip(_ENGAGEMENT_COLUMNS, row, strict=True)}}
        return after, row[_UPDATED_AT]

    def _locked(self, conn: Any, actor: Principal, engagement_id: int) -> dict[str, Any]:
        """The document of one engagement visible to ``actor``, its row locked for this write
        transaction (FOR UPDATE on PostgreSQL; SQLite's writer holds the write lock): the row is
        read, its partners, indicators, assessments and evidence come from the document cache
        when this process has that version (every change of them moves the version), else from
        the database. :class:`RecordNotFoundError` when not visible."""
        row = conn.execute(self._statement("locked", actor.clearance), {"id": engagement_id}).first()
        if row is None:
            raise RecordNotFoundError(f"no engagement {engagement_id}",
                                      fix="list the engagements you may see: foedus records list")
        cached = self._cached([(row[0], row[_VERSION], row[_UPDATED_AT])])[0]
        if cached is None:
            return _documents(conn, [row])[0]
        doc: dict[str, Any] = json.loads(cached)
        return doc

    def set_status(self, actor: Principal, engagement_id: int, status: str, *, version: int
                   ) -> dict[str, Any]:
        """Move an engagement along its lifecycle (approval needs an admin)."""
        _require_write(actor)
        if status not in STATUSES:
            raise RecordValidationError(f"unknown status '{status}'",
                                        fix="use one of: " + ", ".join(STATUSES))
        if status == "approved" and not actor.is_admin:
            raise PermissionDeniedError("only an admin may approve an engagement")
        with self._write() as conn:
            before = self._locked(conn, actor, engagement_id)
            if before["version"] != version:
                raise EditConflictError(f"engagement {engagement_id} is at version "
                                        f"{before['version']}", fix="reload the engagement and try again")
            current = before["status"]
            if status not in STATUSES[current]:
                allowed = ", ".join(STATUSES[current]) or "none (final)"
                raise RecordValidationError(
                    f"an engagement cannot go from '{current}' to '{status}'",
                    fix=f"next statuses from '{current}': {allowed}")
            if status == "assessed" and not before["assessments"]:
                raise RecordValidationError("an engagement is 'assessed' only with an assessment",
                                            fix="add an assessment first")
            after, stamp = self._bump(conn, engagement_id, version, {"status": status}, before)
            self._audit(conn, actor.username, "status", "engagement", engagement_id, before, after)
        self._remember(after, stamp)
        return after

    def delete_engagement(self, actor: Principal, engagement_id: int, *, version: int) -> None:
        """Delete an engagement (admins only); the audit log keeps its last state."""
        _require_admin(actor)
        with self._session(write=True) as s:
            e = self._load(s, actor, engagement_id, lock=True)
            if e.version != version:
                raise EditConflictError(f"engagement {engagement_id} is at version {e.version}",
                                        fix="reload the engagement and try again")
            before = self._document(e)
            s.delete(e)
            self._audit(s, actor.username, "delete", "engagement", engagement_id, before=before)

    def add_child(self, actor: Principal, engagement_id: int, kind: str, data: Mapping[str, Any]
                  ) -> dict[str, Any]:
        """Add an ``indicator``, ``assessment`` or ``evidence`` item to an engagement."""
        from foedus.records.models import Assessment, Evidence, Indicator
        from foedus.records.validation import validate_child

        _require_write(actor)
        if kind not in ("indicator", "assessment", "evidence"):
            raise RecordValidationError(f"unknown item '{kind}'",
                                        fix="use indicator, assessment or evidence")
        clean, problems = validate_child(kind, data)
        if problems:
            raise RecordValidationError(f"the {kind} is not valid", problems=problems)
        model = {"indicator": Indicator, "assessment": Assessment, "evidence": Evidence}[kind]
        with self._session(write=True) as s:
            e = self._load(s, actor, engagement_id, lock=True)
            if kind == "assessment":
                clean["assessor"] = actor.username
            item: Any = model(engagement_id=e.id, **clean)
            s.add(item)
            e.updated_at = _now()  # bumps the version: the engagement changed
            s.flush()
            doc = {"id": item.id, **{k: _plain(v) for k, v in clean.items()}}
            self._audit(s, actor.username, "create", kind, item.id,
                        after={"engagement": e.id, **doc})
        return doc

    def progress(self, actor: Principal, engagement_id: int) -> list[dict[str, Any]]:
        """Indicator progress: share of the way from baseline to target reached (observed)."""
        return self.get_engagement(actor, engagement_id)["indicators"]

    def audit(self, actor: Principal, *, entity: str | None = None, entity_id: int | None = None,
              limit: int = 1000) -> list[dict[str, Any]]:
        """The audit log, oldest first (admins only)."""
        from sqlalchemy import select

        from foedus.records.models import AuditEntry

        _require_admin(actor)
        query = select(AuditEntry).order_by(AuditEntry.id)
        if entity is not None:
            query = query.where(AuditEntry.entity == entity)
        if entity_id is not None:
            query = query.where(AuditEntry.entity_id == entity_id)
        with self._session() as s:
            return [{"id": a.id, "at": _plain(a.at), "actor": a.actor, "action": a.action,
                     "entity": a.entity, "entity_id": a.entity_id,
                     "before": json.loads(a.before) if a.before else None,
                     "after": json.loads(a.after) if a.after else None}
                    for a in s.scalars(query.limit(limit))]

    # -- files ---------------------------------------------------------------------------------
    def import_rows(self, actor: Principal, rows: list[dict[str, Any]], *, source: str
                    ) -> dict[str, Any]:
        """Validate every row, then create all engagements in one transaction — or none.

        ``rows`` are dicts of column → text with ``_row`` (1-based data row, header = row 1).
        A row with problems makes the whole import fail with :class:`RecordValidationError`
        listing row, column and reason for every problem.
        """
        from foedus.records.validation import validate_engagement

        _require_write(actor)
        cleaned: list[dict[str, Any]] = []
        problems: list[dict[str, Any]] = []
        for row in rows:
            number = row.get("_row")
            data = {k: v for k, v in row.items() if k != "_row"}
            clean, found = validate_engagement(data)
            if clean.get("marking") and clean["marking"] not in visible_markings(actor.clearance):
                found.append({"column": "marking", "value": clean["marking"],
                              "reason": "above your clearance"})
            problems += [{"row": number, **p} for p in found]
            cleaned.append(clean)
        if not rows:
            problems.append({"row": None, "column": None, "value": None,
                             "reason": "the file holds no engagement rows"})
        if problems:
            raise RecordValidationError(
                f"{len(problems)} problem(s) in {source}; nothing was imported",
                problems=problems, where=source, fix="correct the listed rows and import again")
        with self._session(write=True) as s:
            ids = [self._insert(actor, clean, session=s)["id"] for clean in cleaned]
            self._audit(s, actor.username, "import", "engagement", None,
                        after={"source": source, "rows": len(ids)})
        return {"source": source, "imported": len(ids), "ids": ids}

    def backup(self) -> dict[str, Any]:
        """Every table as rows (JSON-ready), with the schema revision; see :meth:`restore`."""
        from sqlalchemy import select

        from foedus.records.models import Base

        document: dict[str, Any] = {"format": "foedus-records-backup", "version": 1,
                                    "revision": self.migrate(), "created_at": _now().isoformat(),
                                    "tables": {}}
        with self._session() as s:
            for table in _backed_up(Base):
                rows = s.execute(select(table).order_by(*table.primary_key.columns)).mappings()
                document["tables"][table.name] = [
                    {k: _backup_value(v) for k, v in row.items()} for row in rows]
        return document

    def restore(self, document: Mapping[str, Any]) -> dict[str, int]:
        """Load a :meth:`backup` into this (empty) database, all-or-nothing."""
        from sqlalchemy import func, insert, select, text

        from foedus.records.models import Base

        if document.get("format") != "foedus-records-backup":
            raise RecordsError("not a foedus records backup",
                               fix="give a file written by foedus records backup")
        counts: dict[str, int] = {}
        with self._session(write=True) as s:
            for table in _backed_up(Base):
                if s.scalar(select(func.count()).select_from(table)):
                    raise RecordsError(f"the database is not empty (table {table.name})",
                                       where=self.url, fix="restore into a new, empty database")
            for table in _backed_up(Base):
                rows = document.get("tables", {}).get(table.name, [])
                if rows:
                    typed = [{k: _restore_value(table.c[k], v) for k, v in r.items()} for r in rows]
                    s.execute(insert(table), typed)
                counts[table.name] = len(rows)
            self._bump_epoch(s)  # tokens cached by a running server are checked again
            if self.dialect == "postgresql":
                for table in _backed_up(Base):
                    s.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
        return counts


_ENGAGEMENT_COLUMNS = (
    "id", "title", "instrument", "status", "start_date", "end_date", "objectives", "budget",
    "currency", "participants", "location", "notes", "marking", "version", "created_by",
    "created_at", "updated_at")
_VERSION, _UPDATED_AT = _ENGAGEMENT_COLUMNS.index("version"), _ENGAGEMENT_COLUMNS.index("updated_at")
_CHILDREN: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("partners", "engagement_partners", ("name", "iso3", "ccode", "gwcode")),
    ("indicators", "indicators", ("id", "objective", "indicator", "baseline", "target",
                                  "observed", "observed_on")),
    ("assessments", "assessments", ("id", "assessed_on", "rating", "summary", "assessor")),
    ("evidence", "evidence", ("id", "title", "kind", "reference", "dated")),
)


def _partner_doc(p: Any) -> dict[str, Any]:
    return {"name": p.name, "iso3": p.iso3, "ccode": p.ccode, "gwcode": p.gwcode}


def _assessment_doc(a: Any) -> dict[str, Any]:
    return {"id": a.id, "assessed_on": _plain(a.assessed_on), "rating": a.rating,
            "summary": a.summary, "assessor": a.assessor}


def _evidence_doc(v: Any) -> dict[str, Any]:
    return {"id": v.id, "title": v.title, "kind": v.kind, "reference": v.reference,
            "dated": _plain(v.dated)}


_CHILD_DOC = {"partners": _partner_doc, "indicators": lambda i: _indicator_doc(i),
              "assessments": _assessment_doc, "evidence": _evidence_doc}


def _t(name: str) -> Any:
    """A records table (core SQL) by name."""
    from foedus.records.models import Base

    return Base.metadata.tables[name]


def _json_bytes(doc: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON of a document (its values are plain already)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _documents(conn: Any, rows: list[Any]) -> list[dict[str, Any]]:
    """Documents of engagement rows (core SQL): one query per kind of child for all of them."""
    from sqlalchemy import select

    from foedus.records.models import Base

    docs = [{c: _plain(v) for c, v in zip(_ENGAGEMENT_COLUMNS, row, strict=True)} for row in rows]
    by_id = {d["id"]: d for d in docs}
    for key, _, _ in _CHILDREN:
        for d in docs:
            d[key] = []
    if not docs:
        return docs
    ids = list(by_id)
    for key, name, columns in _CHILDREN:
        table = Base.metadata.tables[name]
        order = table.c.position if key == "partners" else table.c.id
        make = _CHILD_DOC[key]
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            where = (table.c.engagement_id == part[0] if len(part) == 1
                     else table.c.engagement_id.in_(part))
            query = select(table.c.engagement_id, *(table.c[c] for c in columns)).where(where)
            for row in conn.execute(query.order_by(table.c.engagement_id, order)):
                by_id[row[0]][key].append(make(row))
    return docs


def _eager() -> tuple[Any, ...]:
    from sqlalchemy.orm import selectinload

    from foedus.records.models import Engagement

    return (selectinload(Engagement.partners), selectinload(Engagement.indicators),
            selectinload(Engagement.assessments), selectinload(Engagement.evidence))


def _indicator_doc(i: Any) -> dict[str, Any]:
    baseline, target = Decimal(str(i.baseline)), Decimal(str(i.target))
    observed = None if i.observed is None else Decimal(str(i.observed))
    share = None
    if observed is not None and target != baseline:
        share = float((observed - baseline) / (target - baseline))
    return {"id": i.id, "objective": i.objective, "indicator": i.indicator,
            "baseline": _plain(baseline), "target": _plain(target),
            "observed": _plain(observed), "observed_on": _plain(i.observed_on),
            "progress": None if share is None else round(share, 4)}


def _backup_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _restore_value(column: Any, value: Any) -> Any:
    if value is None:
        return None
    kind = type(column.type).__name__
    if kind == "DateTime":
        return datetime.fromisoformat(value)
    if kind == "Date":
        return date.fromisoformat(value)
    if kind == "Numeric":
        return Decimal(value)
    return value


#: Tables of transient security state, neither backed up nor restored: the authentication epoch
#: (a counter) and failed log-ins (kept for the rate limit's window only).
_TRANSIENT = frozenset({"auth_epoch", "login_failures"})


def _backed_up(base: Any) -> list[Any]:
    return [t for t in base.metadata.sorted_tables if t.name not in _TRANSIENT]


def _epoch_query() -> Any:
    from sqlalchemy import select

    from foedus.records.models import AuthEpoch

    return select(AuthEpoch.epoch).where(AuthEpoch.id == 1)


def _advisory_lock(key: str) -> Any:
    from sqlalchemy import func

    return func.pg_advisory_xact_lock(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8],
                                                     "big", signed=True))


def _require_write(actor: Principal) -> None:
    if not actor.can_write:
        raise PermissionDeniedError(f"role '{actor.role}' may read but not write records",
                                    fix="ask an admin for the analyst role")


def _require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise PermissionDeniedError(f"role '{actor.role}' may not do this; admins only")


def _sqlite_connect(dbapi_connection: Any, _record: Any, busy_timeout_s: float = 30.0) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun explicitly below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock at BEGIN, so two read-then-write transactions never deadlock.
    immediate = conn.get_execution_options().get("foedus_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _ping_if_idle(engine: Any, lost: list[float]) -> Any:
    """A pool ``checkout`` listener: ping a connection that sat idle for more than
    :data:`PG_IDLE_PING_S` (the server may have closed it or restarted), or was given back before
    ``lost[0]`` (when a dead connection was last found); a dead one is replaced
    (``DisconnectionError`` makes the pool connect anew)."""
    from sqlalchemy.exc import DisconnectionError

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get("foedus_checkin")
        if last is None or (time.monotonic() - last <= PG_IDLE_PING_S and last > lost[0]):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 — any failure: the connection is not usable
            raise DisconnectionError(str(exc)) from exc

    return checkout


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["foedus_checkin"] = time.monotonic()

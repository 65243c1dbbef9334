"""Shared pytest fixtures: marker enforcement, SQLite and real PostgreSQL databases, demo data.

Fixtures (use them by name):

* ``pg_server`` (session) — a running PostgreSQL server: the one named by
  ``QINET_TEST_DATABASE_URL`` if set, else a throwaway cluster started with the
  local ``initdb``/``pg_ctl`` and stopped at the end. When none can be had the
  PostgreSQL tests are skipped locally, and **fail** when ``CI`` is set.
* ``pg_url`` (session) — the server's ``postgresql+psycopg://…/qinet_test`` URL.
* ``db_url`` (function, parametrised ``sqlite`` / ``postgresql``) — the URL of a fresh,
  empty database for one test (a tmp SQLite file, or a new PostgreSQL database created
  for the test and dropped afterwards).
* ``engine`` — ``make_engine(db_url)`` with the schema migrated (``create_schema``).
* ``session`` — a ``Session`` from ``db.session_scope(engine)``; whatever the test leaves
  uncommitted is rolled back at teardown (call ``session.commit()`` to keep rows).
* ``demo_sqlite_url`` (session) — **read-only** SQLite URL holding the small demo data
  built once with ``DEMO_SEED`` (the first-start default seed). Page tests point the app
  at it: ``monkeypatch.setenv("QINET_DATABASE_URL", demo_sqlite_url)``. Never write to it.
* ``demo_engine`` (session) — an engine on ``demo_sqlite_url`` for read-only queries.
* ``demo_seed`` (session) — the seed the demo file was built with.

Every test must carry one of the markers ``unit``, ``db``, ``app`` or ``e2e``.
"""

from __future__ import annotations

import gc
import glob
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

# Make ``import qinet`` work from a plain checkout (no ``pip install -e .`` needed).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from qinet import db  # noqa: E402
from qinet.config import SETTINGS  # noqa: E402

REQUIRED_MARKERS = ("unit", "db", "app", "e2e")
TEST_URL_SETTING = "QINET_TEST_DATABASE_URL"
DEMO_SEED = int(next(s.default for s in SETTINGS if s.name == "QINET_DEMO_SEED"))
BACKENDS = ("sqlite", "postgresql")


# --- Markers ---------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse unmarked tests; keep the browser tests together under pytest-xdist.

    ``make test`` runs two workers with ``--dist loadgroup``: every ``e2e`` test is in one
    group, so they share one Streamlit server and one Chromium on one worker while the
    other worker runs the rest.
    """
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group("browser"))
    unmarked = [
        item.nodeid
        for item in items
        if not any(item.get_closest_marker(name) for name in REQUIRED_MARKERS)
    ]
    if unmarked:
        listing = "\n  ".join(unmarked)
        raise pytest.UsageError(
            f"every test needs one of the markers {', '.join(REQUIRED_MARKERS)} "
            f"(e.g. pytestmark = pytest.mark.unit); unmarked:\n  {listing}"
        )


# --- PostgreSQL ------------------------------------------------------------------------


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create databases on."""

    admin_url: sa.URL  # connects to a maintenance database, for CREATE/DROP DATABASE
    url: str  # the qinet_test database
    description: str
    _counter: itertools.count

    def database_url(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create_database(self, prefix: str = "qinet_t") -> str:
        """Create a fresh empty database and return its URL."""
        name = f"{prefix}_{os.getpid()}_{next(self._counter)}"
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.database_url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database behind ``url`` (closing any connection left open)."""
        name = sa.make_url(url).database
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()


def _pg_bindir() -> Path | None:
    """Folder holding ``initdb`` and ``pg_ctl``: on PATH, else the newest Debian install."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_version(bindir: Path) -> str:
    out = subprocess.run(
        [str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() or "PostgreSQL (unknown version)"


def _start_cluster(bindir: Path) -> tuple[PgServer, callable]:
    """initdb + pg_ctl start a throwaway cluster; return the server and a stop function."""
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="qinet-pg-", dir="/tmp" if as_root else None))
    datadir, sockdir, logfile = base / "data", base / "sock", base / "postgres.log"
    sockdir.mkdir()
    prefix: list[str] = []
    if as_root:
        # initdb refuses to run as root: run the server as the postgres user instead.
        import pwd

        pw = pwd.getpwnam("postgres")
        for path in (base, sockdir):
            os.chown(path, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres",
         "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    port = _free_port()
    options = (
        f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(logfile),
         "-o", options, "-w", "-t", "60", "start"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip

    def stop() -> None:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)

    admin = sa.make_url(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    server = PgServer(
        admin_url=admin,
        url="",
        description=f"throwaway cluster ({_pg_version(bindir)}) on 127.0.0.1:{port}",
        _counter=itertools.count(),
    )
    return server, stop


def _wait_for(url: sa.URL, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return
        except sa.exc.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            engine.dispose()


_PG_USED: list[str] = []


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A running PostgreSQL server (external via QINET_TEST_DATABASE_URL, or throwaway)."""
    external = os.environ.get(TEST_URL_SETTING)
    stop = None
    try:
        if external:
            url = sa.make_url(external)
            server = PgServer(
                admin_url=url,
                url=external,
                description=f"{TEST_URL_SETTING}={url.render_as_string(hide_password=True)}",
                _counter=itertools.count(),
            )
            _wait_for(url)
        else:
            bindir = _pg_bindir()
            if bindir is None:
                raise RuntimeError("no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin")
            server, stop = _start_cluster(bindir)
            _wait_for(server.admin_url)
            engine = sa.create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("CREATE DATABASE qinet_test"))
            finally:
                engine.dispose()
            server.url = server.database_url("qinet_test")
    except (OSError, RuntimeError, subprocess.CalledProcessError, sa.exc.SQLAlchemyError) as exc:
        if stop is not None:
            stop()
        detail = getattr(exc, "stderr", None) or str(exc)
        message = f"PostgreSQL unavailable for tests: {detail}".strip()
        if os.environ.get("CI"):
            pytest.fail(message + f" (CI is set, so this is an error; set {TEST_URL_SETTING})")
        pytest.skip(message + f" (set {TEST_URL_SETTING} or install PostgreSQL)")
    _PG_USED.append(server.description)
    try:
        yield server
    finally:
        if stop is not None:
            stop()


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """URL of the ``qinet_test`` database on the test PostgreSQL server."""
    return pg_server.url


def pytest_report_header(config: pytest.Config) -> str:
    """Say which PostgreSQL the ``postgresql`` tests will use (visible in CI logs)."""
    external = os.environ.get(TEST_URL_SETTING)
    if external:
        shown = sa.make_url(external).render_as_string(hide_password=True)
        return f"qinet PostgreSQL tests: external server {shown}"
    bindir = _pg_bindir()
    if bindir is None:
        return "qinet PostgreSQL tests: no server found (will skip; fail if CI is set)"
    return f"qinet PostgreSQL tests: throwaway cluster from {bindir} ({_pg_version(bindir)})"


_PG_USED_BY_WORKERS: list[str] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker, hand the PostgreSQL server used to the controller.

    The worker also collects its garbage now and freezes what is left: execnet interrupts
    a worker still busy 5 s after it said it had finished, and pytest's own final garbage
    collections over a heap that ran thousands of AppTest pages took longer than that (a
    KeyboardInterrupt warning at the end of the run); frozen objects are not scanned again.
    """
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["qinet_pg_used"] = list(_PG_USED)
        gc.collect()
        gc.freeze()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # noqa: ANN001
    """On the pytest-xdist controller, collect what each worker's PostgreSQL was."""
    _PG_USED_BY_WORKERS.extend(getattr(node, "workeroutput", {}).get("qinet_pg_used", []))


def _counted(terminalreporter, pick) -> tuple[int, int]:  # noqa: ANN001
    """(ran, skipped) among the test reports that ``pick`` selects."""
    ran = skipped = 0
    for outcome, reports in terminalreporter.stats.items():
        for r in reports:
            if not hasattr(r, "nodeid") or not pick(r):
                continue
            if outcome == "skipped":
                skipped += 1
            elif outcome in ("passed", "failed", "error") and r.when == "call":
                ran += 1
    return ran, skipped


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    """Say how many browser and PostgreSQL tests ran (and were skipped), and on what."""
    e2e = _counted(terminalreporter, lambda r: "e2e" in getattr(r, "keywords", {}))
    pg = _counted(terminalreporter, lambda r: "postgresql" in r.nodeid)
    terminalreporter.write_line(
        f"qinet: {e2e[0]} browser (e2e) tests ran, {e2e[1]} skipped; "
        f"{pg[0]} PostgreSQL tests ran, {pg[1]} skipped"
    )
    used = _PG_USED or _PG_USED_BY_WORKERS
    if used:
        terminalreporter.write_line(f"qinet: PostgreSQL tests ran against {used[0]}")
    else:
        terminalreporter.write_line("qinet: no PostgreSQL server was started in this run")


# --- Per-test databases ----------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'qinet-test.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine on ``db_url`` with the schema at the latest migration."""
    eng = db.make_engine(db_url)
    db.create_schema(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[sa.orm.Session]:
    """A session from ``db.session_scope``; uncommitted work is rolled back at teardown."""
    with db.session_scope(engine) as s:
        yield s
        s.rollback()


# --- Demo data, built once ---------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_seed() -> int:
    """The seed of the shared demo database (the first-start default, QINET_DEMO_SEED)."""
    return DEMO_SEED


@pytest.fixture(scope="session")
def demo_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Read-only SQLite URL with the small demo data (seed ``DEMO_SEED``), built once.

    Page tests use it with ``monkeypatch.setenv("QINET_DATABASE_URL", demo_sqlite_url)``.
    Tests must not write to it: it is shared by the whole session.
    """
    path = tmp_path_factory.mktemp("demo") / "qinet-demo.db"
    url = f"sqlite:///{path}"
    eng = db.make_engine(url)
    try:
        db.ensure_demo_data(eng, seed=DEMO_SEED)
    finally:
        eng.dispose()
    return url


@pytest.fixture(scope="session")
def demo_engine(demo_sqlite_url: str) -> Iterator[sa.Engine]:
    """An engine on the shared demo SQLite file (read-only use)."""
    eng = db.make_engine(demo_sqlite_url)
    try:
        yield eng
    finally:
        eng.dispose()

"""Local scale-out on loopback: ``streamlit run`` replicas behind Debian's nginx.

Used by the scale-out test (``tests/e2e/test_scale_out.py``) and by ``python -m qinet bench
load``. The proxy runs ``deploy/nginx.conf`` itself, with only its addresses, ports and file
paths substituted, so what is tested is what is deployed. Everything binds to 127.0.0.1 and
every process started here is stopped by the context manager that started it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_NGINX_CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, seconds: float = 90.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``base``/_stcore/health answers ``ok``.

    Raises:
        RuntimeError: It did not within ``seconds``, or ``proc`` exited first.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{base}: the process exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().decode() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{base}/_stcore/health did not answer ok within {seconds:.0f} s")


@dataclass
class Replica:
    """One ``streamlit run app.py`` process."""

    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def address(self) -> str:
        """``127.0.0.1:port``, as nginx's ``$upstream_addr`` names it."""
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 10 s); safe to call twice."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@contextmanager
def replicas(
    db_url: str, cookie_secret: str, workdir: Path, n: int = 2, env: dict | None = None
) -> Iterator[list[Replica]]:
    """Start ``n`` replicas on one database with one cookie secret; stop them on exit."""
    started: list[Replica] = []
    base_env = {**os.environ, "QINET_DATABASE_URL": db_url, "QINET_CREATE_DEMO": "0",
                "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret, **(env or {})}  # fmt: skip
    try:
        for i in range(n):
            port = free_port()
            log = workdir / f"replica{i + 1}.log"
            with open(log, "wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", "app.py",
                     "--server.headless", "true", "--server.port", str(port),
                     "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                     "--server.fileWatcherType", "none"],
                    cwd=ROOT, env=base_env, stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
            started.append(Replica(port, proc, log))
        for r in started:
            try:
                wait_healthy(f"http://{r.address}", proc=r.proc)
            except RuntimeError as exc:
                tail = r.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{exc}\n{tail}") from None
        yield started
    finally:
        for r in started:
            r.stop()


@contextmanager
def streamlit_script(script: Path, workdir: Path) -> Iterator[str]:
    """Serve any Streamlit script (e.g. a one-line floor page) on loopback; yield its URL."""
    port = free_port()
    log = workdir / f"{script.parent.name}-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=script.parent, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    replica = Replica(port, proc, log)
    try:
        wait_healthy(f"http://{replica.address}", proc=proc)
        yield f"http://{replica.address}/"
    finally:
        replica.stop()


def nginx_config(upstreams: list[str], listen_port: int, prefix: Path) -> str:
    """``deploy/nginx.conf`` rewritten for loopback: upstreams, port, and files in ``prefix``.

    Raises:
        ValueError: The deploy config no longer has a line this expects (so the test
            would no longer be testing the deployed file).
    """
    text = DEPLOY_NGINX_CONF.read_text()
    servers = re.findall(r"^\s*server qinet\d+:8501([^;]*);\n", text, flags=re.M)
    if not servers:
        raise ValueError("deploy/nginx.conf: no 'server qinetN:8501 …;' upstream lines")
    params = servers[0]
    lines = "".join(f"        server {u}{params};\n" for u in upstreams)
    text = re.sub(r"(^\s*server qinet\d+:8501[^;]*;\n)+", lines, text, count=1, flags=re.M)
    temp = "".join(
        f"    {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    swaps = [
        ("pid /run/nginx.pid;", f"daemon off;\npid {prefix / 'nginx.pid'};"),
        ("error_log /dev/stderr warn;", f"error_log {prefix / 'error.log'} warn;"),
        ("access_log /dev/stdout qinet;", f"access_log {prefix / 'access.log'} qinet;\n{temp}"),
        ("listen 80;", f"listen 127.0.0.1:{listen_port};"),
    ]
    for old, new in swaps:
        if text.count(old) != 1:
            raise ValueError(f"deploy/nginx.conf: expected one {old!r}")
        text = text.replace(old, new)
    return text


@dataclass
class Proxy:
    """A running nginx in front of the replicas."""

    base: str
    access_log: Path
    error_log: Path

    def routes(self) -> dict[str, set[str]]:
        """Route cookie → the set of upstreams its WebSocket connections went to (from the log).

        nginx writes an access-log line for a WebSocket when it closes, so this reflects
        the sessions whose connections have ended (or the log as it stands).
        """
        seen: dict[str, set[str]] = {}
        for line in self.access_log.read_text(errors="replace").splitlines():
            m = re.search(r'"GET /_stcore/stream[^"]*" \d+ \d+ route=(\S+) upstream="([^"]*)"',
                          line)  # fmt: skip
            if m:  # "a, b" when nginx moved on to the next upstream
                seen.setdefault(m.group(1), set()).update(m.group(2).split(", "))
        return seen


    def sessions_per_upstream(self) -> dict[str, int]:
        """How many WebSocket (Streamlit) sessions each upstream served, from the log."""
        counts: dict[str, int] = {}
        for line in self.access_log.read_text(errors="replace").splitlines():
            m = re.search(r'"GET /_stcore/stream[^"]*" 101 \d+ route=\S+ upstream="([^"]*)"',
                          line)  # fmt: skip
            if m:
                last = m.group(1).split(", ")[-1]
                counts[last] = counts.get(last, 0) + 1
        return counts


@contextmanager
def nginx(upstreams: list[str], workdir: Path) -> Iterator[Proxy]:
    """Run Debian's nginx (foreground, files under ``workdir``) with the deploy config."""
    if not Path(NGINX).exists():
        raise RuntimeError(f"nginx is not installed ({NGINX}); apt-get install nginx")
    prefix = workdir / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_config(upstreams, port, prefix))
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)],
                           capture_output=True, text=True)  # fmt: skip
    if check.returncode:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
    proc = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, seconds=20, proc=proc)
        yield Proxy(base, prefix / "access.log", prefix / "error.log")
    finally:
        proc.terminate()  # SIGTERM: fast shutdown of master and workers
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# Page-ready in a browser: Streamlit connected, its script finished, no skeleton left, and
# the page's own title drawn (so a transient "notRunning" before the run starts does not
# count). Streamlit's data-test attributes are what its own end-to-end tests wait on.
READY_JS = """title => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  return [...document.querySelectorAll('h1')].some(h => h.textContent.includes(title));
}"""

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]  # fmt: skip


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (``VmHWM``) of a running process in MiB; 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far; 0 if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

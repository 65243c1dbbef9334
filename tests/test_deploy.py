"""deploy/: the nginx config nginx accepts, with sticky sessions and the WebSocket upgrade;
the compose file shares one cookie secret, migrates once and health-checks every replica."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from qinet import scaleout

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
COMPOSE = (DEPLOY / "compose.yaml").read_text()
NGINX_CONF = (DEPLOY / "nginx.conf").read_text()


def test_nginx_routes_by_cookie_and_upgrades_the_stream() -> None:
    assert "hash $qinet_route consistent;" in NGINX_CONF
    assert "ip_hash" not in re.sub(r"#.*", "", NGINX_CONF)
    stream = NGINX_CONF.split("location /_stcore/stream", 1)[1].split("}", 1)[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header Connection $connection_upgrade;" in stream
    assert len(re.findall(r"^\s*server qinet\d+:8501", NGINX_CONF, flags=re.M)) >= 2


def test_the_loopback_config_keeps_everything_but_addresses_and_paths(tmp_path: Path) -> None:
    conf = scaleout.nginx_config(["127.0.0.1:1", "127.0.0.1:2"], 3, tmp_path)
    assert "server 127.0.0.1:1 max_fails=1 fail_timeout=10s;" in conf
    assert "qinet1:8501" not in conf
    assert "listen 127.0.0.1:3;" in conf
    assert str(tmp_path / "access.log") in conf
    for kept in ("hash $qinet_route consistent;", "location /_stcore/stream",
                 "add_header Set-Cookie $qinet_route_cookie always;"):
        assert kept in conf
    if not Path(scaleout.NGINX).exists():
        pytest.skip("nginx -t needs Debian nginx")
    (tmp_path / "nginx.conf").write_text(conf)
    check = subprocess.run(
        [scaleout.NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, check=False,
    )
    assert check.returncode == 0, check.stderr


def test_compose_shares_the_secret_migrates_once_and_checks_health() -> None:
    services = re.findall(r"^  (\w+):\n", COMPOSE.split("\nservices:\n", 1)[1], flags=re.M)
    replicas = [s for s in services if re.fullmatch(r"qinet\d+", s)]
    assert len(replicas) >= 2 and {"db", "migrate", "nginx"} <= set(services)
    # Every replica is the shared anchor: one cookie secret, one health check, one DB URL.
    for name in replicas:
        assert re.search(rf"^  {name}:\n    <<: \*qinet\n", COMPOSE, flags=re.M)
    anchor = COMPOSE.split("x-qinet: &qinet", 1)[1].split("\nservices:", 1)[0]
    assert "STREAMLIT_SERVER_COOKIE_SECRET: ${QINET_COOKIE_SECRET:?" in anchor
    assert "/_stcore/health" in anchor
    assert "condition: service_completed_successfully" in anchor
    migrate = COMPOSE.split("\n  migrate:\n", 1)[1].split("\n  qinet1:", 1)[0]
    assert '"init-db"' in migrate and 'restart: "no"' in migrate
    assert "image: postgres:15" in COMPOSE

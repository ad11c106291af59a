"""The systemd units in deploy/ keep web, worker and beat running (README, Production)."""

import configparser
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.parametrize("name", ["orienta-web.service", "orienta-worker.service", "orienta-beat.service"])
def test_every_process_is_restarted_whatever_way_it_ends(name):
    service = unit(name)["Service"]
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/orienta/orienta.env"


def test_the_worker_is_never_given_up_and_is_pinged_every_minute():
    worker = unit("orienta-worker.service")
    assert worker["Unit"]["StartLimitIntervalSec"] == "0"
    assert "-n worker@%H" in worker["Service"]["ExecStart"]
    assert unit("orienta-worker-check.timer")["Timer"]["OnUnitActiveSec"] == "1min"
    check = unit("orienta-worker-check.service")["Service"]["ExecStart"]
    script = DEPLOY / check.removeprefix("/srv/orienta/deploy/")
    text = script.read_text()
    assert 'inspect ping -d "$NODE"' in text and 'NODE="worker@$(hostname)"' in text
    assert "systemctl restart orienta-worker.service" in text
    subprocess.run(["sh", "-n", str(script)], check=True)

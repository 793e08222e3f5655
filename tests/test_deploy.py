"""The systemd unit and the container recipe, checked statically (neither runs in CI)."""

import json
import re
import shlex
from collections import defaultdict
from pathlib import Path, PurePosixPath

import pytest

import tasks
from bot.runner import HEARTBEAT_EVERY, STOP_WITHIN
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# Variables the bot reads (bot/settings.py), and matplotlib's cache folder.
SETTINGS_SOURCE = (ROOT / "bot" / "settings.py").read_text("utf-8")
KNOWN = set(re.findall(r'get\("([A-Z_]+)"\)', SETTINGS_SOURCE)) | {"MPLCONFIGDIR"}


def unit() -> dict[str, list[str]]:
    """The unit's settings (a key may repeat, as Environment= does)."""
    entries: dict[str, list[str]] = defaultdict(list)
    for line in (ROOT / "deploy" / "posko.service").read_text("utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            key, _, value = line.partition("=")
            entries[key.strip()].append(value.strip())
    return entries


def environment(assignments: list[str]) -> dict[str, str]:
    return dict(part.split("=", 1) for text in assignments for part in shlex.split(text))


def in_checkout(path: str, root: str) -> Path:
    """The file of this checkout that a path under the install folder `root` names."""
    return ROOT / PurePosixPath(path).relative_to(root)


def test_the_unit_runs_main_py_from_the_checkout_with_its_venv() -> None:
    entries = unit()
    [workdir] = entries["WorkingDirectory"]
    python, script = shlex.split(entries["ExecStart"][0])
    assert in_checkout(script, workdir) == ROOT / "main.py"
    assert (ROOT / "main.py").is_file()
    assert in_checkout(python, workdir) == tasks.PYTHON, "what `tasks.py install` creates"


def test_tasks_py_install_creates_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command the README's service steps and the Dockerfile run to create .venv."""
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(tasks, "ensure_environment", lambda extras=(): calls.append(extras))
    assert tasks.main(["install"]) == 0
    assert calls == [()], "the bot's dependencies, without the dev tools"


def test_the_unit_restarts_on_crashes_only_and_stops_after_the_bound() -> None:
    entries = unit()
    [user] = entries["User"]
    assert user not in ("", "root")
    assert entries["Restart"] == ["on-failure"]
    assert set(entries["RestartPreventExitStatus"][0].split()) == {"2", "3"}
    assert float(entries["TimeoutStopSec"][0]) > STOP_WITHIN
    assert entries["ProtectSystem"] == ["strict"]
    assert entries["PrivateTmp"] == ["true"]
    assert entries["NoNewPrivileges"] == ["true"]


def test_the_unit_keeps_data_and_backups_in_its_state_folder() -> None:
    entries = unit()
    [state] = entries["StateDirectory"]
    env = environment(entries["Environment"])
    assert set(env) <= KNOWN
    state_dir = PurePosixPath("/var/lib") / state
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", **env})
    assert PurePosixPath(settings.database_path).parent == state_dir
    assert PurePosixPath(settings.backup_dir).is_relative_to(state_dir)
    [cache] = entries["CacheDirectory"]
    assert PurePosixPath(env["MPLCONFIGDIR"]).is_relative_to(PurePosixPath("/var/cache") / cache)


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_container_installs_then_runs_main_py() -> None:
    steps = dockerfile()
    [workdir] = [args for kind, args in steps if kind == "WORKDIR"]
    assert "python3 tasks.py install" in [args for kind, args in steps if kind == "RUN"]
    [command] = [
        shlex.split(args.replace('"', "").strip("[]").replace(",", " "))
        for kind, args in steps
        if kind == "CMD"
    ]
    assert command == [str(tasks.PYTHON.relative_to(ROOT)), "main.py"]
    assert (ROOT / command[1]).is_file()
    [check] = [args for kind, args in steps if kind == "HEALTHCHECK"]
    assert json.loads(check.split(" CMD ", 1)[1]) == ["python3", "tasks.py", "status"]
    assert workdir == "/app"


def test_the_container_keeps_data_on_its_volume_and_listens_on_all_interfaces() -> None:
    steps = dockerfile()
    env = environment([args for kind, args in steps if kind == "ENV"])
    assert set(env) <= KNOWN | {"PYTHONUNBUFFERED"}
    [volume] = [args for kind, args in steps if kind == "VOLUME"]
    volume_dir = PurePosixPath(volume.strip('[]" '))
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", **env})
    assert PurePosixPath(settings.database_path).is_relative_to(volume_dir)
    assert PurePosixPath(settings.backup_dir).is_relative_to(volume_dir)
    assert settings.webhook_listen == "0.0.0.0"  # noqa: S104 - loopback is unreachable from outside
    assert [args for kind, args in steps if kind == "USER"] != []
    ignored = (ROOT / ".dockerignore").read_text("utf-8").split()
    assert {".env", ".venv/", "data/"} <= set(ignored), "no secrets or host state in the image"


def test_the_readme_states_the_bounds_the_code_has() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"within **{STOP_WITHIN:.0f} seconds**" in readme
    assert f"gives it {unit()['TimeoutStopSec'][0]} seconds to stop" in readme
    assert f"every {HEARTBEAT_EVERY:.0f} seconds" in readme
    assert f"no heartbeat for {tasks.HEARTBEAT_STALE // 60}" in readme
    assert f"no successful poll for {tasks.POLL_STALE // 60} minutes" in readme

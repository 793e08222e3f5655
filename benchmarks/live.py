"""The real bot process (main.py) against the Bot API emulator, for end-to-end benchmarks.

The emulator runs in the benchmark's own process; the bot runs exactly as deployed, in its own
process, with only TELEGRAM_API_URL pointing at the emulator. Latencies are measured from the
moment an update is queued at the emulator to the moment the bot sends the last message of its
answer (a split answer's parts are numbered "(i/n)", so the last one is recognisable).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.server import FakeTelegram, FakeUser

ROOT = Path(__file__).resolve().parent.parent
ADMIN_ID = 1001
COORDINATION_CHAT_ID = -1001234567890
_PART = re.compile(r"\((\d+)/(\d+)\)\s*$")
ANSWERING = frozenset({"sendMessage", "sendDocument", "sendPhoto"})


def copy_database(source: Path, folder: Path) -> Path:
    """Copies a checkpointed database file (no -wal) into `folder`, so runs never share state."""
    target = folder / "posko.db"
    shutil.copyfile(source, target)
    return target


def is_last_part(text: str) -> bool:
    """Whether a message is a whole answer or the last part of a numbered one."""
    match = _PART.search(text)
    return match is None or match[1] == match[2]


def vm_status(pid: int) -> dict[str, int]:
    """The VmRSS, VmHWM, ... lines of /proc/<pid>/status, in KiB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Vm"):
            key, value = line.split(":", 1)
            found[key] = int(value.split()[0])
    return found


@dataclass(frozen=True)
class Answer:
    """Seconds from the update to the first and to the last message of the bot's answer."""

    first: float
    last: float
    parts: int


class LiveBot:
    """A Posko process on a database file, and the emulator it talks to."""

    def __init__(self, db_path: Path, env: dict[str, str] | None = None) -> None:
        self.db_path = db_path
        self.fake = FakeTelegram()
        self.env = env or {}
        self.process: asyncio.subprocess.Process | None = None
        self.spawned_at = 0.0
        self._done: dict[int, asyncio.Event] = {}
        self._sent_at: dict[int, list[float]] = {}
        # When each Bot API method was first called, and how often (start-up phases).
        self.first_call: dict[str, float] = {}
        self.last_call: dict[str, float] = {}
        self.calls: Counter[str] = Counter()
        self.fake.observers.append(self._observe)

    @property
    def pid(self) -> int:
        """The bot's process id."""
        if self.process is None:
            raise RuntimeError("the bot is not running")
        return self.process.pid

    async def start(self) -> None:
        """Starts the emulator and spawns the bot (does not wait for it to be ready)."""
        await self.fake.start()
        self.fake.add_group(COORDINATION_CHAT_ID)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_URL": self.fake.url,
            "DASHBOARD_PORT": "0",  # any free port, never 8080
            "DATABASE_PATH": str(self.db_path),
            "ADMIN_IDS": str(ADMIN_ID),
            "COORDINATION_CHAT_ID": str(COORDINATION_CHAT_ID),
            "BACKUP_DIR": str(self.db_path.parent / "backups"),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            **self.env,
        }
        self.spawned_at = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "main.py"), cwd=self.db_path.parent, env=env
        )

    def user(self, user_id: int = ADMIN_ID, name: str = "Operator") -> FakeUser:
        """A user of the emulator (the admin by default)."""
        if user_id in self.fake.chats:
            return FakeUser(self.fake, {"id": user_id, "is_bot": False, "first_name": name})
        return self.fake.add_user(user_id, name)

    async def ask(self, user: FakeUser, text: str, within: float = 120.0) -> Answer:
        """Sends `text` as `user` and waits for the bot's complete answer."""
        chat = user.id
        self._done[chat] = asyncio.Event()
        self._sent_at[chat] = []
        started = time.perf_counter()
        await user.send(text, wait=False)
        await asyncio.wait_for(self._done[chat].wait(), within)
        sent = self._sent_at[chat]
        return Answer(sent[0] - started, sent[-1] - started, len(sent))

    def _observe(self, method: str, params: dict[str, Any]) -> None:
        now = time.perf_counter()
        self.first_call.setdefault(method, now)
        self.last_call[method] = now
        self.calls[method] += 1
        if method not in ANSWERING:
            return
        chat = int(params.get("chat_id", 0))
        event = self._done.get(chat)
        if event is None or event.is_set():
            return
        self._sent_at[chat].append(time.perf_counter())
        if is_last_part(str(params.get("text") or params.get("caption") or "")):
            event.set()

    async def quiet(self, seconds: float, within: float = 600.0) -> None:
        """Waits until the bot has made no Bot API call but getUpdates for `seconds`."""
        deadline = time.perf_counter() + within
        while time.perf_counter() < deadline:
            busy = [t for m, t in self.last_call.items() if m != "getUpdates"]
            left = max(busy, default=0.0) + seconds - time.perf_counter()
            if left <= 0:
                return
            await asyncio.sleep(left)
        raise TimeoutError(f"the bot was still busy after {within} s")

    async def stop(self) -> int:
        """Stops the bot with SIGTERM (as a service manager would) and the emulator."""
        code = 0
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            code = await self.process.wait()
        await self.fake.stop()
        return code

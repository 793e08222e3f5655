"""A compressed election day in Kutai Timur, played against the real bot, printed as it happens.

    python3 tasks.py demo

Starts this package's Bot API emulator on 127.0.0.1, then the real bot (`main.py`, the same
code and settings as production; only TELEGRAM_API_URL points at the emulator), registers an
officer trio for all 18 kecamatan with one CSV `/impor`, and plays: nihil reports, Waspada /
Rawan / Darurat reports, a disagreement, an acknowledgement, a reminder round and the digest.
The database is left in `demo/posko-demo.db` for `/ekspor`-style inspection.

The koordinator asks for the live dashboard first (`/dasbor`) and the demo prints the sign-in
link: open it in a browser on this machine to watch the tiles change as the day is played. Run
from a terminal, the demo waits a little before the first report, and keeps the bot (and its
dashboard) running at the end until Enter is pressed.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from emulator.server import FakeChat, FakeTelegram, FakeUser

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "demo"
WITA = ZoneInfo("Asia/Makassar")
KECAMATAN = (
    "Batu Ampar",
    "Bengalon",
    "Busang",
    "Kaliorang",
    "Karangan",
    "Kaubun",
    "Kongbeng",
    "Long Mesangat",
    "Muara Ancalong",
    "Muara Bengkal",
    "Muara Wahau",
    "Rantau Pulung",
    "Sandaran",
    "Sangatta Selatan",
    "Sangatta Utara",
    "Sangkulirang",
    "Telen",
    "Teluk Pandan",
)
ROLES = ("camat", "kapolsek", "danramil")
GIVEN = ("Budi", "Agus", "Joko", "Rina", "Dedi", "Sri", "Eko", "Wati", "Andi", "Yusuf", "Lina")
FAMILY = ("Santoso", "Pratama", "Siregar", "Lestari", "Saputra", "Hidayat", "Nugroho", "Rahman")
TITLES = {"camat": "Drs.", "kapolsek": "AKP", "danramil": "Kapten Inf"}
ADMIN, KOORDINATOR, GROUP = 900001, 900002, -1001000000001
LINK = re.compile(r"(http://\S+/dasbor/masuk#[A-Za-z0-9_-]+)")
# Seconds to open the dashboard before the day starts, when a person is watching.
WATCH_PAUSE = 15


def free_port() -> int:
    """A free TCP port of 127.0.0.1 for the demo's dashboard (never the default 8080)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Transcript:
    """Prints who said what, in whose chat."""

    def __init__(self, fake: FakeTelegram, names: dict[int, str]) -> None:
        self.names = names
        fake.observers.append(self.bot_call)

    def line(self, who: str, text: str) -> None:
        stamp = datetime.now(WITA).strftime("%H:%M:%S")
        body = textwrap.indent(text.strip(), "    ").lstrip()
        print(f"{stamp}  {who}: {body}", flush=True)

    def bot_call(self, method: str, params: dict[str, Any]) -> None:
        if method not in ("sendMessage", "sendDocument", "editMessageText"):
            return
        chat = params.get("chat_id")
        where = self.names.get(int(chat), str(chat)) if isinstance(chat, int) else str(chat)
        text = str(params.get("text") or params.get("caption") or "")
        verb = "(diedit) " if method == "editMessageText" else ""
        self.line(f"Posko → {where}", verb + _plain(text))


def _plain(html: str) -> str:
    from emulator.html import HtmlParseError, parse_html

    try:
        return parse_html(html)
    except HtmlParseError:
        return html


async def say(log: Transcript, user: FakeUser, text: str, chat: FakeChat | None = None) -> None:
    """A person sends a message and the demo waits until the bot answered it."""
    log.line(f"{log.names[user.id]} → {'grup' if chat else 'Posko'}", text)
    target = chat or user.chat
    before = len(target.messages)
    await user.send(text, chat=chat)
    await user.server.wait_until(lambda: len(target.messages) > before, timeout=30)


async def main() -> int:
    """Runs the demo; returns an exit code."""
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    fake = FakeTelegram()
    await fake.start()
    names = {ADMIN: "Operator Kesbangpol", KOORDINATOR: "Kasat Intelkam", GROUP: "Grup Forkopimda"}
    officers: dict[tuple[str, str], FakeUser] = {}
    rows = ["user_id;peran;kecamatan;nama"]
    for k, kecamatan in enumerate(KECAMATAN):
        for r, role in enumerate(ROLES):
            user_id = 100000 + k * 10 + r
            person = f"{GIVEN[(k + r) % len(GIVEN)]} {FAMILY[(k * 3 + r) % len(FAMILY)]}"
            names[user_id] = f"{role.capitalize()} {kecamatan}"
            officers[(kecamatan, role)] = fake.add_user(user_id, person.split()[0])
            rows.append(f"{user_id};{role};{kecamatan};{TITLES[role]} {person}")
    admin = fake.add_user(ADMIN, "Operator")
    kasat = fake.add_user(KOORDINATOR, "Kasat")
    group = fake.add_group(GROUP, "Forkopimda Kutim")
    log = Transcript(fake, names)
    soon = datetime.now(WITA) + timedelta(seconds=40)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_PATH": str(OUT / "posko-demo.db"),
        "BACKUP_DIR": str(OUT / "backups"),
        "ADMIN_IDS": str(ADMIN),
        "COORDINATION_CHAT_ID": str(GROUP),
        "DIGEST_TIMES": f"{soon:%H:%M:%S}",
        "REMINDER_TIMES": f"{soon - timedelta(seconds=15):%H:%M:%S}",
        "ESCALATION_ACK_MINUTES": "0.25",
        "LOG_LEVEL": "WARNING",
        "DASHBOARD_PORT": str(free_port()),
    }
    watching = sys.stdin.isatty()
    bot = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), env=env, cwd=OUT
    )
    try:
        print("== Posko demo: hari pemungutan suara, Kabupaten Kutai Timur ==", flush=True)
        log.line("Operator Kesbangpol → Posko", "(berkas petugas.csv, keterangan /impor)")
        await admin.send_document("\n".join(rows).encode(), "petugas.csv", caption="/impor")
        await fake.wait_until(lambda: any("Impor" in m.text for m in admin.messages), 30)
        await say(log, admin, f"/tambah {KOORDINATOR} | koordinator | - | Kasat Intelkam")
        await say(log, kasat, "/dasbor")
        await fake.wait_until(lambda: any(LINK.search(m.text) for m in kasat.messages), 30)
        found = next(filter(None, (LINK.search(m.text) for m in kasat.messages)), None)
        if found:
            print(
                "\n== Dasbor langsung: buka tautan ini di peramban di komputer ini "
                f"(sekali pakai, 10 menit) ==\n   {found[1]}\n",
                flush=True,
            )
            if watching:
                await asyncio.sleep(WATCH_PAUSE)
        for kecamatan in KECAMATAN[:12]:  # most kecamatan: quiet, nihil from the Camat
            await say(log, officers[(kecamatan, "camat")], "/lapor aman")
        await say(
            log,
            officers[("Bengalon", "kapolsek")],
            "/lapor waspada Kerumunan pendukung paslon di depan TPS 03, terkendali.",
        )
        # Muara Wahau's Camat said "aman" above; its Kapolsek sees it two levels worse.
        kapolsek = officers[("Muara Wahau", "kapolsek")]
        await say(
            log,
            kapolsek,
            "/lapor rawan Massa menghadang distribusi kotak suara di Desa Nehes Liah Bing.",
        )
        number = kapolsek.last_message().text.split("#")[1].split()[0]
        await fake.wait_until(lambda: bool(group.messages), 30)
        await asyncio.sleep(1)
        await kasat.press("✅ Diterima", group.messages[0])
        log.line("Kasat Intelkam → grup", "(menekan ✅ Diterima)")
        await say(
            log,
            officers[("Sangkulirang", "danramil")],
            "/lapor darurat Banjir merendam gudang logistik PPK, 40 kotak suara terendam.",
        )
        await say(
            log,
            kapolsek,
            f"/ralat {number} Massa bubar pukul 10.30 setelah mediasi Camat dan Danramil.",
        )
        print("-- menunggu pengingat dan rekap terjadwal (sekitar 40 detik) --", flush=True)
        await fake.wait_until(lambda: any("Rekap Kondisi" in m.text for m in group.messages), 90)
        await asyncio.sleep(2)
        await say(log, kasat, "/status")
        if watching:
            await asyncio.get_running_loop().run_in_executor(
                None, input, "-- Tekan Enter untuk menghentikan bot dan dasbornya --"
            )
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
        await fake.stop()
    print(f"== Selesai. Basis data demo: {OUT / 'posko-demo.db'} ==", flush=True)
    return 0 if bot.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

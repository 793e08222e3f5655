"""Arahan: instructions from the Forkopimda to the officers, with read confirmations.

`form` (/arahan, the preview, ✅ Kirim) -> `delivery` (each recipient once, at Telegram's pace)
-> `confirm` (✅ Dipahami, 💬 Tanggapi) -> `tally` (the sender's live tally, /status_arahan)
-> `reminders` (at the deadline, Segera every 15 minutes; the catch-up after restarts);
`sheet` writes the /ekspor sheets. Storage: storage/arahan.py; rules: domain/arahan.py.
"""

from __future__ import annotations

from bot.commands import Command
from bot.context import PoskoApp
from handlers.arahan import confirm, form, reminders, tally

COMMANDS: tuple[Command, ...] = (*form.COMMANDS, *tally.COMMANDS)


def register(app: PoskoApp) -> None:
    """Adds the commands, buttons and jobs of arahan."""
    form.register(app)
    confirm.register(app)
    tally.register(app)
    reminders.schedule(app)

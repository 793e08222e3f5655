"""The vulnerability map (issue 23): what was mapped before the election guides what is watched.

`peta` (/kerawanan: the map with each kecamatan's condition now; /kerawanan impor: a CSV file,
all or nothing) -> `repeat` (the second reminder to officers of `tinggi` kecamatan who have not
reported, and the admins told which kecamatan are still silent) -> `sheet` (the /ekspor sheet).
The flag in /status and the digest, the order of kecamatan and the note in the group alert
read the map in force from `Services.admin_settings.vulnerability`. Storage:
storage/kerawanan.py; rules and parsing: domain/kerawanan.py.
"""

from __future__ import annotations

from bot.commands import Command
from bot.context import PoskoApp
from handlers.kerawanan import peta, repeat

COMMANDS: tuple[Command, ...] = peta.COMMANDS


def register(app: PoskoApp) -> None:
    """Adds /kerawanan (and its import) and the second reminder's sweep."""
    peta.register(app)
    repeat.register(app)

"""The command table: every command declared once, beside its handler, and all that follows.

A feature declares its commands as `Command(...)` values (name, handler, who may use it where,
whose menu shows it, the menu description, the /bantuan line and the README line) and adds
them with `add_commands`. The wiring module collects every feature's declarations into one
`CommandTable`; the access gate, the command menus, /bantuan and the README's command table are
all derived from it, so none of them can drift from the others.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler

from bot.access import ADMIN, STAFF, Access, Rule
from bot.context import PoskoApp, PoskoContext

Callback = Callable[[Update, PoskoContext], Coroutine[Any, Any, None]]

PETUGAS_MENU = frozenset({Access.PETUGAS})
STAFF_MENU = STAFF
ADMIN_MENU = ADMIN
# Last in every menu: the way out of a form, then help.
LATE, LAST = 80, 90


@dataclass(frozen=True)
class Command:
    """One command: its handler, its access rule, and how menus, help and README show it."""

    name: str
    callback: Callback
    rule: Rule
    description: str  # the menu line (Indonesian, set_my_commands)
    help: str  # the /bantuan line (Indonesian, HTML)
    readme: str  # the README line (English, Markdown)
    usage: str = ""  # arguments as the README shows them, e.g. "[tanggal]"
    menu: frozenset[Access] = frozenset()  # whose command menu lists it
    rank: int = 50  # position in a menu (lower first; ties keep declaration order)
    aliases: tuple[str, ...] = ()


def add_commands(app: PoskoApp, commands: Iterable[Command]) -> None:
    """Adds a CommandHandler for each command (and its aliases)."""
    for command in commands:
        app.add_handler(CommandHandler([command.name, *command.aliases], command.callback))


class CommandTable:
    """All commands of the bot, in declaration order."""

    def __init__(self, commands: Sequence[Command]) -> None:
        self.commands = tuple(commands)
        self._rules: dict[str, Rule] = {}
        for command in self.commands:
            for name in (command.name, *command.aliases):
                if name in self._rules:
                    raise ValueError(f"command /{name} is declared twice")
                self._rules[name] = command.rule

    def rule(self, name: str) -> Rule | None:
        """Who may use /name where; None for a command the bot does not have."""
        return self._rules.get(name)

    def menu(self, access: Access) -> list[Command]:
        """The commands in the menu of an authorization class, in menu order."""
        order = {command.name: i for i, command in enumerate(self.commands)}
        chosen = [c for c in self.commands if access in c.menu]
        return sorted(chosen, key=lambda c: (c.rank, order[c.name]))

    def help_lines(self, access: Access) -> list[str]:
        """The /bantuan lines of what this class may use: its menu, then the commands no menu
        shows that it may use somewhere (e.g. /grup_koordinasi, sent inside a group)."""
        unlisted = [
            c
            for c in self.commands
            if not c.menu
            and any(
                access in allowed
                for allowed in (c.rule.private, c.rule.coordination, c.rule.group)
            )
        ]
        return [command.help for command in (*self.menu(access), *unlisted)]

    def readme_rows(self) -> list[str]:
        """The README's command table, one Markdown row per command."""
        rows = ["| Command | Who | What |", "|---|---|---|"]
        for command in self.commands:
            first = f"/{command.name} {command.usage}".strip()
            names = ", ".join(f"`{n}`" for n in (first, *(f"/{a}" for a in command.aliases)))
            cells = (names, who(command.rule), command.readme)
            rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        return rows


_CLASS_NAMES = {
    Access.PETUGAS: "petugas",
    Access.KOORDINATOR: "koordinator",
    Access.ADMIN: "admin",
}


def who(rule: Rule) -> str:
    """The README's "Who" column: which classes may use a command, and where."""
    places: dict[str, list[str]] = {}
    for label, allowed in (
        ("private chat", rule.private),
        ("coordination group", rule.coordination),
        ("other groups", rule.group),
    ):
        if not allowed:
            continue
        if Access.UNKNOWN in allowed:
            people = "everyone"
        else:
            people = " and ".join(n for a, n in _CLASS_NAMES.items() if a in allowed)
        places.setdefault(people, []).append(label)
    return "; ".join(f"{people} ({', '.join(labels)})" for people, labels in places.items())

"""Who may do what, decided in one place for every command and every button press.

The gate runs before any handler. It resolves the sender by numeric Telegram user id (names and
usernames grant nothing; messages sent on behalf of a chat grant nothing), looks the command or
callback up in the rule tables below and either lets the update through or answers with a short
refusal and stops it. Handlers then read `context.actor`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import Chat, Message, Update
from telegram.constants import MessageEntityType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer
from bot.services import Services
from domain.enums import REGISTRATION_FLOW, MemberState, Role
from domain.members import Member


class Access(StrEnum):
    """The authorization class of a sender."""

    ANONYMOUS = "anonymous"  # sender_chat set, or no user: never any rights
    UNKNOWN = "unknown"
    PENDING = "pending"
    INACTIVE = "inactive"
    PETUGAS = "petugas"
    KOORDINATOR = "koordinator"
    ADMIN = "admin"


class Place(StrEnum):
    """Where an update happens."""

    PRIVATE = "private"
    COORDINATION = "coordination"
    GROUP = "group"  # any other group or channel


@dataclass(frozen=True)
class Actor:
    """The sender of an update and what they may do."""

    user_id: int | None
    access: Access
    member: Member | None = None
    bootstrap_admin: bool = False

    @property
    def is_admin(self) -> bool:
        """Whether the sender has admin rights."""
        return self.access is Access.ADMIN

    @property
    def officer(self) -> Member | None:
        """The active field-officer record of the sender, if that is what they are."""
        return self.member if self.access is Access.PETUGAS else None


def access_of(member: Member | None, *, bootstrap_admin: bool) -> Access:
    """Maps a registry entry to its authorization class."""
    if bootstrap_admin:
        return Access.ADMIN
    if member is None or member.state is MemberState.REJECTED:
        return Access.UNKNOWN
    if member.state is MemberState.PENDING:
        return Access.PENDING
    if member.state is MemberState.INACTIVE:
        return Access.INACTIVE
    if member.role is Role.ADMIN:
        return Access.ADMIN
    if member.role is Role.KOORDINATOR:
        return Access.KOORDINATOR
    return Access.PETUGAS


async def resolve_actor(update: Update, services: Services) -> Actor:
    """Looks up the sender of `update` by numeric user id."""
    message = update.effective_message
    user = update.effective_user
    if user is None or user.is_bot or (message is not None and message.sender_chat is not None):
        return Actor(user_id=None, access=Access.ANONYMOUS)
    member = await services.members.get(user.id)
    bootstrap = services.is_bootstrap_admin(user.id)
    return Actor(user.id, access_of(member, bootstrap_admin=bootstrap), member, bootstrap)


def place_of(chat: Chat | None, services: Services) -> Place:
    """Classifies a chat."""
    if chat is not None and chat.type == Chat.PRIVATE:
        return Place.PRIVATE
    if chat is not None and chat.id == services.coordination_chat_id:
        return Place.COORDINATION
    return Place.GROUP


@dataclass(frozen=True)
class Rule:
    """Who may use a command or button, per place."""

    private: frozenset[Access] = frozenset()
    coordination: frozenset[Access] = frozenset()
    group: frozenset[Access] = frozenset()

    def allowed(self, place: Place) -> frozenset[Access]:
        """The classes allowed in `place`."""
        return {
            Place.PRIVATE: self.private,
            Place.COORDINATION: self.coordination,
            Place.GROUP: self.group,
        }[place]


ALL = frozenset(Access)
PEOPLE = ALL - {Access.ANONYMOUS}
STAFF = frozenset({Access.KOORDINATOR, Access.ADMIN})
ADMIN = frozenset({Access.ADMIN})
EVERYWHERE = Rule(private=PEOPLE, coordination=ALL, group=ALL)
ADMIN_PRIVATE = Rule(private=ADMIN)
# Report content: koordinator and admins, privately or inside the coordination group only.
READERS = Rule(private=STAFF, coordination=STAFF)
# Outside the registry: answered at most once a minute each (see hold_back_strangers).
STRANGERS = frozenset({Access.ANONYMOUS, Access.UNKNOWN, Access.PENDING, Access.INACTIVE})


# Callback data is "<kind>:<...>"; the kind selects the rule. Data can be forged by a client,
# so the rule is checked for whoever pressed, whatever message the button was on.
CALLBACKS: dict[str, Rule] = {
    "daftar": Rule(private=PEOPLE),
    "lapor": Rule(private=frozenset({Access.PETUGAS})),
    # The reminder's "Nihil" and "Lapor kejadian": the officer's own report.
    "ingat": Rule(private=frozenset({Access.PETUGAS})),
    # Pages of an officer's /bantuan and /riwayat, in their private chat (a /riwayat page
    # shows the presser's own reports, whatever the button says).
    "bantuan": Rule(private=frozenset({Access.PETUGAS})),
    "rw": Rule(private=frozenset({Access.PETUGAS})),
    "ack": Rule(private=STAFF, coordination=STAFF),
    "reg": ADMIN_PRIVATE,
    "pg": ADMIN_PRIVATE,
    "v": READERS,
    # "➕ Perkembangan" on a receipt and on a private /insiden page: the handler checks the
    # incident's kecamatan.
    "upd": Rule(private=frozenset({Access.PETUGAS}) | STAFF),
    # "Masih berlangsung" / "Sudah selesai" on a stale incident's question: likewise.
    "stale": Rule(private=frozenset({Access.PETUGAS}) | STAFF),
    "ins": READERS,  # pages of /insiden
    # /logistik's buttons and dialogs: the handler checks the kecamatan is the officer's own.
    "lg": Rule(private=frozenset({Access.PETUGAS})),
    # Arahan: the sender's form and preview; an officer's ✅ Dipahami and 💬 Tanggapi (the
    # handler checks the presser is a recipient, on their own copy); who has not confirmed.
    "arahan": Rule(private=STAFF),
    "arh": Rule(private=frozenset({Access.PETUGAS})),
    "arl": READERS,
    # ✅ Simpan / ❌ Batal of a proposed election calendar change: the handler checks that the
    # admin who proposed it presses it.
    "thp": ADMIN_PRIVATE,
}


def command_parts(message: Message | None) -> tuple[str, str] | None:
    """(command, addressee) of a message starting with a command (text or caption), else None."""
    if message is None:
        return None
    text = message.text or message.caption
    entities = message.entities if message.text else message.caption_entities
    if not text or not entities:
        return None
    first = entities[0]
    if first.type != MessageEntityType.BOT_COMMAND or first.offset != 0:
        return None
    command, _, addressee = text[1 : first.length].partition("@")
    return command.casefold(), addressee


def command_of(message: Message | None, bot_username: str) -> str | None:
    """The command a message starts with (text or caption), if addressed to this bot."""
    parts = command_parts(message)
    if parts is None:
        return None
    command, addressee = parts
    if addressee and addressee.casefold() != bot_username.casefold():
        return None
    return command


def refusal(rule: Rule, access: Access, place: Place) -> str:
    """The short explanation for a refused command."""
    if not rule.allowed(place):
        if place is Place.PRIVATE:
            return texts.GROUP_ONLY
        if rule.coordination:
            return texts.COORDINATION_ONLY
        return texts.PRIVATE_ONLY
    return {
        Access.ANONYMOUS: texts.ANONYMOUS,
        Access.UNKNOWN: texts.NOT_REGISTERED,
        Access.PENDING: texts.PENDING_WAIT,
        Access.INACTIVE: texts.INACTIVE,
    }.get(access, texts.ADMIN_ONLY if rule.allowed(place) == ADMIN else texts.ROLE_REFUSED)


async def hold_back_strangers(
    update: Update, context: PoskoContext, place: Place, command: str | None
) -> None:
    """Stops an update the bot would answer when it comes from a non-member answered less than
    a minute ago; a /daftar form in progress (and /daftar itself) always goes through.

    Whatever a stranger sends, the bot then writes to them once a minute at most, so flooding it
    costs the stranger nothing back and the bot no sends. The coordination group is exempt:
    its people were let in by the admins.
    """
    actor = context.actor
    if actor.access not in STRANGERS or place is Place.COORDINATION:
        return
    services = context.services
    user, chat = update.effective_user, update.effective_chat
    sender = user.id if user is not None else chat.id if chat is not None else 0
    if command == "daftar" or await _registering(services, actor.user_id):
        # The form is answered apart from the minute (its steps come quickly), but within a
        # budget of its own: /daftar again and again, or typing into an open form, is not a
        # way around the throttle.
        if not services.runtime.form_answers.allow(sender, services.clock()):
            raise ApplicationHandlerStop
        return
    if not services.runtime.stranger_answers.allow(sender, services.clock()):
        raise ApplicationHandlerStop


async def _registering(services: Services, user_id: int | None) -> bool:
    """Whether the user is filling in the /daftar form."""
    draft = await services.drafts.get(user_id) if user_id is not None else None
    return draft is not None and draft.flow == REGISTRATION_FLOW


async def gate(update: Update, context: PoskoContext) -> None:
    """Authorizes every update before any handler sees it."""
    services = context.services
    actor = await resolve_actor(update, services)
    context.actor = actor
    place = place_of(update.effective_chat, services)
    query = update.callback_query
    if query is not None:
        await hold_back_strangers(update, context, place, None)
        rule = CALLBACKS.get((query.data or "").split(":", 1)[0])
        if rule is None or actor.access not in rule.allowed(place):
            await answer(query, texts.CALLBACK_REFUSED)
            raise ApplicationHandlerStop
        return
    if actor.member is not None and actor.member.blocked_at is not None:
        await services.members.set_blocked(actor.member.user_id, None)  # they are back
    message = update.effective_message
    command = command_of(message, context.bot.username or "")
    if command is None and command_parts(message) is not None:
        raise ApplicationHandlerStop  # a command for another bot: none of our business
    if command is None or message is None:
        if message is not None and message.migrate_to_chat_id is not None:
            return  # the group became a supergroup: handlers.registry.coordination follows it
        if place is not Place.PRIVATE:
            raise ApplicationHandlerStop  # group chatter is not for the bot
        await hold_back_strangers(update, context, place, None)
        return
    await hold_back_strangers(update, context, place, command)
    if message.forward_origin is not None:
        # A forwarded command is someone else's words: never act on it.
        await message.reply_text(texts.FORWARDED_COMMAND)
        raise ApplicationHandlerStop
    rule = context.commands.rule(command)
    if rule is None:
        return  # unknown commands get the fallback's answer
    if actor.access not in rule.allowed(place):
        await message.reply_text(refusal(rule, actor.access, place))
        raise ApplicationHandlerStop


def register(app: PoskoApp) -> None:
    """Installs the gate ahead of every handler (group -1, blocking)."""
    app.add_handler(TypeHandler(Update, gate), group=-1)

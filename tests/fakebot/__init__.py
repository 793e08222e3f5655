"""An in-process fake of the Telegram Bot API, strict where Telegram is strict."""

from tests.fakebot.server import ApiCall, FakeChat, FakeTelegram, FakeUser, SentMessage

__all__ = ["ApiCall", "FakeChat", "FakeTelegram", "FakeUser", "SentMessage"]

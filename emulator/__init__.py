"""An in-process fake of the Telegram Bot API, strict where Telegram is strict."""

from emulator.server import ApiCall, FakeChat, FakeTelegram, FakeUser, SentMessage

__all__ = ["ApiCall", "FakeChat", "FakeTelegram", "FakeUser", "SentMessage"]

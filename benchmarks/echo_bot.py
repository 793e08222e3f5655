"""The baseline: a bare python-telegram-bot echo bot (sequential updates, no storage)."""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Replies with the same text, quoting the message (as Posko's receipt does)."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text, do_quote=True)


def main() -> None:
    """Polls the Bot API at TELEGRAM_API_URL until SIGTERM."""
    url = os.environ["TELEGRAM_API_URL"]
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=["message"])


if __name__ == "__main__":
    main()

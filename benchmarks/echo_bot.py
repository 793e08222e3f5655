"""The baseline: a bare python-telegram-bot echo bot (no storage), in three variants.

    python -m benchmarks.echo_bot [--limited | --concurrent]

Bare: PTB's defaults, updates one at a time, no rate limiter (what the target is measured
against). --limited adds PTB's own AIORateLimiter (Telegram's 30 messages a second overall), as
a bot must have in production; --concurrent handles updates concurrently (PTB's default pool).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Replies with the same text, quoting the message (as Posko's receipt does)."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text, do_quote=True)


def main() -> None:
    """Polls the Bot API at TELEGRAM_API_URL until SIGTERM."""
    parser = argparse.ArgumentParser()
    variant = parser.add_mutually_exclusive_group()
    variant.add_argument("--limited", action="store_true")
    variant.add_argument("--concurrent", action="store_true")
    args = parser.parse_args()
    url = os.environ["TELEGRAM_API_URL"]
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
        .concurrent_updates(args.concurrent)
    )
    app: Application[Any, Any, Any, Any, Any, Any]
    if args.limited:
        app = builder.rate_limiter(AIORateLimiter(max_retries=3)).build()
    else:
        app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=["message"])


if __name__ == "__main__":
    main()

"""Delivering what the bot owes once: receipts retried durably, records written after the fact.

Two failures must never turn into a repeated or a missing message:
- Telegram refuses or cannot be reached after a report is committed: the report stands, so the
  officer must not be told to try again. The receipt is kept in `receipts` and retried with
  back-off until Telegram takes it, across restarts; an answer that will never change (the bot
  is blocked, the chat does not exist) ends the retries and is recorded.
- Telegram accepted a message but the database could not record it (locked, disk full): the
  delivery is remembered in memory (`Unrecorded`) and only the record is retried later, so the
  message is not sent a second time.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import texts
from bot.services import Services

logger = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=30)
RETRY_LONGEST = timedelta(minutes=15)
RECEIPT_SWEEP_SECONDS = 30


def is_permanent(error: TelegramError) -> bool:
    """Whether Telegram's answer will be the same however often the call is repeated."""
    # Blocked, deactivated or never started (403); unknown chat or a malformed request (400).
    return isinstance(error, Forbidden | BadRequest)


def backoff(failures: int) -> timedelta:
    """The wait after the `failures`-th failed attempt: 30 s, doubling, at most 15 minutes."""
    doublings: int = max(0, min(failures - 1, 10))
    return min(RETRY_FIRST * (1 << doublings), RETRY_LONGEST)


async def send_receipt(
    bot: Bot, services: Services, number: int, chat_id: int, text: str, reply_to: int | None
) -> bool:
    """Sends the receipt of stored report #number; when that fails, keeps it to retry.

    Never raises for Telegram or storage failures: the report is committed whatever happens
    here, and the officer must not be asked to send it again.
    """
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    try:
        await bot.send_message(chat_id, text, reply_parameters=reply)
    except TelegramError as exc:
        now = services.clock()
        retry_at = None if is_permanent(exc) else now + RETRY_FIRST
        logger.warning(
            "Receipt of report #%s not delivered (%s); %s",
            number,
            type(exc).__name__,
            "undeliverable" if retry_at is None else "kept to retry",
        )
        try:
            await services.receipts.failed(
                number, chat_id, text, type(exc).__name__, now, retry_at
            )
        except sqlite3.Error:
            logger.exception("Receipt of report #%s could not be kept for a retry", number)
        return False
    return True


async def retry_receipts(bot: Bot, services: Services) -> int:
    """Sends the receipts whose retry is due; returns how many Telegram accepted."""
    unrecorded = services.runtime.unrecorded.receipts
    for number in sorted(unrecorded):  # delivered before; only the record is missing
        await services.receipts.attempted(number, services.clock(), error=None, retry_at=None)
        unrecorded.discard(number)
    delivered = 0
    for receipt in await services.receipts.due(services.clock()):
        try:
            await bot.send_message(receipt.chat_id, f"{receipt.text}\n{texts.RECEIPT_DELAYED}")
        except TelegramError as exc:
            now = services.clock()
            retry_at = None if is_permanent(exc) else now + backoff(receipt.attempts + 1)
            await services.receipts.attempted(
                receipt.report_number, now, error=type(exc).__name__, retry_at=retry_at
            )
            continue
        delivered += 1
        unrecorded.add(receipt.report_number)
        await services.receipts.attempted(
            receipt.report_number, services.clock(), error=None, retry_at=None
        )
        unrecorded.discard(receipt.report_number)
        logger.info("Receipt of report #%s delivered late", receipt.report_number)
    return delivered

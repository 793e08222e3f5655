"""Receipts: sent once a report is committed, and retried durably when Telegram does not take them.

Once a report is committed the officer must never be told to send it again. A receipt Telegram
does not take is kept in `receipts` and retried with back-off until it does, across restarts;
an answer that will never change (the bot is blocked, the chat does not exist) ends the retries
and is recorded, and so does a day without success. When even that record cannot be written
(disk full), the running bot keeps the receipt in memory and writes the record later.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.error import Forbidden, TelegramError

from bot import texts
from bot.context import PoskoApp, PoskoContext
from bot.delivery import RETRY_FIRST, backoff, is_permanent
from bot.services import FailedReceipt, Services

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 30
# Receipts sent by one sweep at most; the rest wait for the next (a sweep stays short).
SWEEP_LIMIT = 30
# A receipt Telegram has not taken for this long is given up (recorded as undeliverable).
GIVE_UP_AFTER = timedelta(days=1)


async def send_receipt(
    bot: Bot,
    services: Services,
    number: int,
    chat_id: int,
    text: str,
    reply_to: int | None,
    *,
    again: bool = False,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Sends the receipt of stored report #number; when that fails, keeps it to retry.

    `again`: the report was stored before (a replayed update, a second "Kirim"), so a pending
    retry of its receipt is settled by this delivery. Never raises for Telegram or storage
    failures: the report is committed whatever happens here.
    """
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    now = services.clock()
    try:
        await bot.send_message(chat_id, text, reply_parameters=reply, reply_markup=reply_markup)
    except TelegramError as exc:
        retry_at = None if is_permanent(exc) else now + RETRY_FIRST
        logger.warning(
            "Receipt of report #%s not delivered (%s); %s",
            number,
            type(exc).__name__,
            "undeliverable" if retry_at is None else "kept to retry",
        )
        await _note_blocked(services, chat_id, exc)
        failed = FailedReceipt(chat_id, text, type(exc).__name__, now, retry_at)
        try:
            await services.receipts.failed(number, *failed)
        except sqlite3.Error:
            logger.exception("Receipt of report #%s kept in memory until it can be stored", number)
            services.runtime.unrecorded.failed_receipts[number] = failed
        return False
    if again:
        try:
            await services.receipts.attempted(number, now, error=None, retry_at=None)
        except sqlite3.Error:
            services.runtime.unrecorded.receipts.add(number)
    return True


async def retry_receipts(bot: Bot, services: Services) -> int:
    """Sends the receipts whose retry is due; returns how many Telegram accepted.

    Stops at the first failure that is not final: Telegram is unreachable, and the others
    would only wait out the same retries (and hold up a shutdown).
    """
    unrecorded = services.runtime.unrecorded
    for number, failed in sorted(unrecorded.failed_receipts.items()):
        await services.receipts.failed(number, *failed)
        del unrecorded.failed_receipts[number]
    for number in sorted(unrecorded.receipts):  # delivered before; only the record is missing
        await services.receipts.attempted(number, services.clock(), error=None, retry_at=None)
        unrecorded.receipts.discard(number)
    delivered = 0
    for receipt in await services.receipts.due(services.clock(), SWEEP_LIMIT):
        try:
            await bot.send_message(receipt.chat_id, f"{receipt.text}\n{texts.RECEIPT_DELAYED}")
        except TelegramError as exc:
            now = services.clock()
            final = is_permanent(exc) or now - receipt.created_at >= GIVE_UP_AFTER
            retry_at = None if final else now + backoff(receipt.attempts + 1)
            await _note_blocked(services, receipt.chat_id, exc)
            await services.receipts.attempted(
                receipt.report_number, now, error=type(exc).__name__, retry_at=retry_at
            )
            if retry_at is not None:
                break
            continue
        delivered += 1
        unrecorded.receipts.add(receipt.report_number)
        await services.receipts.attempted(
            receipt.report_number, services.clock(), error=None, retry_at=None
        )
        unrecorded.receipts.discard(receipt.report_number)
        logger.info("Receipt of report #%s delivered late", receipt.report_number)
    return delivered


async def _note_blocked(services: Services, chat_id: int, error: TelegramError) -> None:
    """Marks an officer who blocked the bot (as reminders do), so rounds skip them."""
    if isinstance(error, Forbidden) and "blocked" in str(error).casefold():
        try:
            await services.members.set_blocked(chat_id, services.clock())
        except sqlite3.Error:
            logger.warning("Could not mark %s as having blocked the bot", chat_id)


async def retry_receipts_job(context: PoskoContext) -> None:
    """Delivers receipts Telegram did not take the first time."""
    await retry_receipts(context.bot, context.services)


def register(app: PoskoApp) -> None:
    """Adds the sweep that retries receipts."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            retry_receipts_job, interval=SWEEP_SECONDS, first=3, name="receipts"
        )

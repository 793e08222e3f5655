"""At INFO and above no report text or phone number reaches the log; DEBUG shows everything."""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram import Update

from bot.logs import RedactingFormatter, StoppedJobFilter

TEXT = "massa membakar kantor PPK"
PHONE = "+6281234567890"


def update_with_personal_data() -> Update:
    data = {
        "update_id": 77,
        "message": {
            "message_id": 5,
            "date": 1732672800,
            "chat": {"id": 2001, "type": "private"},
            "from": {"id": 2001, "is_bot": False, "first_name": "Budi"},
            "text": f"/lapor darurat {TEXT}",
            "contact": {"phone_number": PHONE, "first_name": "Budi", "user_id": 2001},
        },
    }
    return Update.de_json(data, None)


def record(level: int, message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("telegram.ext.Application", level, __file__, 1, message, args, None)


def test_a_library_line_carrying_an_update_names_it_by_id_only() -> None:
    formatter = RedactingFormatter("%(levelname)s %(message)s", ())
    update = update_with_personal_data()
    line = formatter.format(
        record(logging.CRITICAL, "Error while building CallbackContext for update %s", update)
    )
    assert line == "CRITICAL Error while building CallbackContext for update <update 77>"
    raw = formatter.format(record(logging.ERROR, "Received data was: %r", update.to_dict()))
    assert TEXT not in raw
    assert PHONE not in raw


def test_phone_numbers_are_masked_and_ids_are_not() -> None:
    formatter = RedactingFormatter("%(message)s", ())
    for phone in (PHONE, "6281234567890", "081234567890"):
        line = formatter.format(record(logging.WARNING, "contact %s of user %s", phone, 2001))
        assert line == "contact <telepon> of user 2001", phone
    assert formatter.format(record(logging.INFO, "user %s", 6281234567)) == "user 6281234567"


def test_debug_lines_are_written_as_they_are() -> None:
    formatter = RedactingFormatter("%(message)s", ())
    line = formatter.format(record(logging.DEBUG, "Processing update %s", TEXT + " " + PHONE))
    assert TEXT in line
    assert PHONE in line


def test_a_job_cut_off_by_the_stop_is_one_warning_line() -> None:
    """APScheduler logs a job cancelled by the stop as an error with a traceback."""
    formatter = RedactingFormatter("%(levelname)s %(message)s", ())
    lines = []
    for error in (asyncio.CancelledError(), ValueError("rusak")):
        try:
            raise error
        except (asyncio.CancelledError, ValueError):
            line = record(logging.ERROR, 'Job "%s" raised an exception', "chase stale")
            line.exc_info = sys.exc_info()
        assert StoppedJobFilter().filter(line)
        lines.append(formatter.format(line))
    assert lines[0] == 'WARNING Job "chase stale" interrupted by the stop'
    assert lines[1].startswith('ERROR Job "chase stale" raised an exception\nTraceback')

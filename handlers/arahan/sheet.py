"""The /ekspor sheets of arahan: one row per arahan with its counts, one per recipient.

Synchronous, like the rest of the workbook (handlers.reading.workbook): it runs in the export's
worker thread on its read-only connection.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

import xlsxwriter

from bot import texts
from bot.sheets import write_cells
from domain.arahan import Audience, DeliveryState, Urgency, recipient_status
from domain.enums import Role
from storage.arahan import export_arahan, export_recipients


def _local(text: str | None, tz: ZoneInfo) -> str | None:
    """A stored UTC time as local 'YYYY-MM-DD HH:MM:SS'."""
    if not text:
        return None
    return (
        datetime.fromisoformat(text)
        .replace(tzinfo=UTC)
        .astimezone(tz)
        .strftime("%Y-%m-%d %H:%M:%S")
    )


def write_arahan_sheets(
    workbook: xlsxwriter.Workbook,
    conn: sqlite3.Connection,
    span: tuple[str, str],
    tz: ZoneInfo,
    bold: xlsxwriter.format.Format,
) -> None:
    """Adds the Arahan and Penerima Arahan sheets for the arahan sent within `span`."""
    sheet = workbook.add_worksheet(texts.SHEET_ARAHAN)
    sheet.write_row(0, 0, texts.ARAHAN_COLUMNS, bold)
    sheet.set_column(7, 7, 60)
    for index, row in enumerate(export_arahan(conn, *span), start=1):
        total = row["total"] or 0
        waiting, unreachable = row["waiting"] or 0, row["unreachable"] or 0
        confirmed = row["confirmed"] or 0
        attachment = (
            unescape(texts.attachment_label(row["attachment_kind"], row["attachment_name"]))
            if row["attachment_kind"]
            else None
        )
        write_cells(
            sheet,
            index,
            [
                row["id"],
                _local(row["created_at"], tz),
                row["sender_name"],
                texts.SENDER_ROLE.get(Role(row["sender_role"]), row["sender_role"]),
                unescape(texts.audience_label(Audience.from_json(row["audience"]))),
                texts.URGENCY_LABEL[Urgency(row["urgency"])],
                _local(row["deadline_at"], tz),
                row["text"],
                attachment,
                total,
                total - waiting - unreachable,
                unreachable,
                confirmed,
                row["late"] or 0,
                total - waiting - unreachable - confirmed,
                row["answers"],
            ],
        )
    people = workbook.add_worksheet(texts.SHEET_ARAHAN_RECIPIENTS)
    people.write_row(0, 0, texts.ARAHAN_RECIPIENT_COLUMNS, bold)
    for index, row in enumerate(export_recipients(conn, *span), start=1):
        status = recipient_status(
            DeliveryState(row["state"]), row["confirmed_at"] is not None, bool(row["late"])
        )
        delivered = row["delivered_at"] if row["state"] == DeliveryState.DELIVERED else None
        write_cells(
            people,
            index,
            [
                row["arahan"],
                row["user_id"],
                row["name"],
                texts.ROLE_LABEL.get(Role(row["role"]), row["role"]),
                row["kecamatan"],
                texts.RECIPIENT_STATUS_LABEL[status],
                _local(delivered, tz),
                _local(row["confirmed_at"], tz),
                texts.YES if row["late"] else texts.NO,
                row["reminded"],
                row["error"],
            ],
        )

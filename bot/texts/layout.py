"""Fitting answers into Telegram messages: split at block boundaries, never inside an entity."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from html import escape, unescape

from domain.parsing import utf16_len

MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")


def visible_len(html: str) -> int:
    """The length Telegram counts for a message: UTF-16 units after entity parsing (tags gone,
    `&lt;` one character). Texts here escape every `<` of user text, so a tag is a tag."""
    return utf16_len(unescape(_TAG.sub("", html)))


def cut_utf16(text: str, units: int) -> str:
    """The longest start of `text` at most `units` UTF-16 units long (never half a character)."""
    size = 0
    for index, char in enumerate(text):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > units:
            return text[:index]
    return text


def clipped(text: str, clip: int | None, number: int) -> str:
    """`text` escaped; cut to its first `clip` UTF-16 units (None: whole) with a pointer to
    /lihat of report #number, which shows it whole."""
    if clip is None or utf16_len(text) <= clip:
        return escape(text)
    head = escape(cut_utf16(text, clip).rstrip())
    more = f"… (lengkapnya: /lihat {number})"
    return f"{head} {more}" if head else more


def split_messages(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Joins blocks with newlines into as few messages as fit `limit`, numbering the parts.

    Blocks are never cut; a block that alone exceeds the limit is split at line ends. The raw
    HTML length is used, which is never less than the length Telegram counts after parsing.
    """
    budget = limit - len("\n(99/99)")
    pieces: list[str] = []
    for block in blocks:
        if utf16_len(block) <= budget:
            pieces.append(block)
        else:
            pieces.extend(_split_long_block(block, budget))
    messages: list[str] = []
    current, size = "", 0  # size: utf16_len(current), kept as pieces are added
    for piece in pieces:
        piece_size = utf16_len(piece)
        if current and size + 1 + piece_size > budget:
            messages.append(current)
            current = piece.lstrip("\n")
            size = utf16_len(current)
        elif current:
            current, size = f"{current}\n{piece}", size + 1 + piece_size
        else:
            current, size = piece, piece_size
    if current:
        messages.append(current)
    if len(messages) > 1:
        messages = [f"{m}\n({i}/{len(messages)})" for i, m in enumerate(messages, 1)]
    return messages


def _split_long_block(block: str, budget: int) -> list[str]:
    """Splits an oversized block at line ends, then after list commas, then anywhere safe."""
    out: list[str] = []
    for line in block.split("\n"):
        current, size = "", 0  # size: utf16_len(current)
        for item in line.split(", "):
            item_size = utf16_len(item)
            if current and size + len(", ") + item_size + len(",") > budget:
                out.append(current + ",")
                current, size = item, item_size
            elif current:
                current, size = f"{current}, {item}", size + len(", ") + item_size
            else:
                current, size = item, item_size
        while utf16_len(current) > budget:
            cut = _safe_cut(current, budget)
            out.append(current[:cut])
            current = current[cut:]
        out.append(current)
    return out


def _safe_cut(text: str, budget: int) -> int:
    """The largest cut point within `budget` that is not inside an HTML tag or entity."""
    # utf16_len(text[:cut]) grows with cut and is at least cut: search 0..budget.
    cut = bisect_right(range(budget + 1), budget, key=lambda c: utf16_len(text[:c])) - 1
    head = text[:cut]
    for opener, closer in (("<", ">"), ("&", ";")):
        start = head.rfind(opener)
        if start > head.rfind(closer) and start > 0:
            cut = min(cut, start)
    return cut

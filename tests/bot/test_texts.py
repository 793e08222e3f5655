"""The wording of the text catalogue: natural Indonesian (EYD V), as shared/domain.md asks."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest

from bot.texts.incidents import ALERT_SHORTEST, Clip, fit_alert
from bot.texts.layout import MESSAGE_LIMIT, clipped, cut_utf16, visible_len
from domain.parsing import utf16_len

ROOT = Path(__file__).resolve().parents[2]
# The areas whose wording was reviewed (issues 16 and 18): every module of the catalogue.
REVIEWED = tuple(sorted(str(p.relative_to(ROOT)) for p in (ROOT / "bot" / "texts").glob("*.py")))
COMMAS_REVIEWED = REVIEWED
STIFF = {
    "terparah": 'say "yang paling parah"',
    "lebih dahulu": 'say "dulu"',
    "apabila": 'say "jika"',
    "bila": 'say "jika"',
}


def catalogue_strings(path: str) -> list[str]:
    """Every literal text of a catalogue module (docstrings left out), f-strings in pieces."""
    tree = ast.parse((ROOT / path).read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]  # fmt: skip


@pytest.mark.parametrize("path", REVIEWED)
def test_no_stiff_words(path: str) -> None:
    for text in catalogue_strings(path):
        for word, better in STIFF.items():
            assert not re.search(rf"\b{word}\b", text, re.IGNORECASE), f"{text!r}: {better}"


@pytest.mark.parametrize("path", COMMAS_REVIEWED)
def test_no_comma_before_atau_between_two_alternatives(path: str) -> None:
    """ "Tulis keterangan atau ketik /batal", not "..., atau ...". A list of three or more keeps
    its serial comma (EYD V, shared/domain.md): "berkas, suara, atau stiker"."""
    for text in catalogue_strings(path):
        text = html.unescape(re.sub(r"<[^>]+>", "", text))  # as read: "&lt;" has no ";"
        for match in re.finditer(r",\s+atau\b", text):
            clause = re.split(r"[.:;(]\s*|\n", text[: match.start()])[-1]
            assert "," in clause, f"{text!r}: no comma before 'atau' between two alternatives"


# --- fitting the group alert into one message ------------------------------------------------


def test_an_alert_is_shortened_update_first_then_note_then_report() -> None:
    """Each of the three first keeps its opening ALERT_SHORTEST characters; the report's text
    goes last. Measured as Telegram counts: escaped characters once, emoji twice."""
    update, note, report = "u" * 3000, "n" * 3000, "<🔥>" * 1000  # 4000 UTF-16 units

    def render(update_clip: Clip, note_clip: Clip, text_clip: Clip) -> str:
        return "\n".join(
            [
                f"<b>{clipped(report, text_clip, 1)}</b>",
                clipped(update, update_clip, 1),
                clipped(note, note_clip, 1),
            ]
        )

    sizes = (utf16_len(update), utf16_len(note), utf16_len(report))
    text = fit_alert(render, sizes)
    assert visible_len(text) == MESSAGE_LIMIT
    shown_update, shown_note = (line.split(" … ")[0] for line in text.splitlines()[1:])
    assert (len(shown_update), len(shown_note)) == (ALERT_SHORTEST, ALERT_SHORTEST)
    assert "&lt;🔥&gt;" in text
    assert "(lengkapnya: /lihat 1)" in text.splitlines()[0], "the report gave the rest"

    short = fit_alert(lambda *_: "<b>pendek</b> &amp; jelas", (0, 0, 0))
    assert short == "<b>pendek</b> &amp; jelas", "nothing to shorten"


def test_texts_are_cut_by_utf16_units_never_inside_a_character() -> None:
    assert cut_utf16("ab🔥cd", 3) == "ab"
    assert cut_utf16("ab🔥cd", 4) == "ab🔥"
    assert clipped("a<b", None, 7) == "a&lt;b"
    assert clipped("a<b c", 3, 7) == "a&lt;b … (lengkapnya: /lihat 7)"
    assert clipped("kata", 0, 7) == "… (lengkapnya: /lihat 7)"
    assert visible_len("<b>a</b> &lt;🔥&gt;") == 6

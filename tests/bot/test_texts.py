"""The wording of the text catalogue: natural Indonesian (EYD V), as shared/domain.md asks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The areas whose wording was reviewed (issue 16); more join as they are.
REVIEWED = (
    "bot/texts/incidents.py", "bot/texts/reports.py", "bot/texts/commands.py",
    "bot/texts/arahan.py", "bot/texts/dashboard.py",
)  # fmt: skip
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


@pytest.mark.parametrize("path", REVIEWED)
def test_no_comma_before_atau_between_two_alternatives(path: str) -> None:
    """ "Tulis keterangan atau ketik /batal", not "..., atau ...". A list of three or more keeps
    its serial comma (EYD V, shared/domain.md): "berkas, suara, atau stiker"."""
    for text in catalogue_strings(path):
        for match in re.finditer(r",\s+atau\b", text):
            clause = re.split(r"[.:;(]\s*|\n", text[: match.start()])[-1]
            assert "," in clause, f"{text!r}: no comma before 'atau' between two alternatives"

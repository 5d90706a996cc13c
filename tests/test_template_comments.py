"""Django's {# … #} comment is one line only: spread over several lines it is
shown to the user as text. Longer comments use {% comment %}."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_no_template_comment_spans_lines():
    spread = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for found in re.finditer(r"\{#(?:(?!#\}).)*?\n", text, re.S):
            spread.append(f"{path.relative_to(TEMPLATES)}:{text[: found.start()].count(chr(10)) + 1}")
    assert spread == []

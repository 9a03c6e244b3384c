"""The stylesheet the pages share: one block left open hides every rule after it from the browser."""

from pathlib import Path

import service.web

STYLE = Path(service.web.__file__).parent / "static" / "style.css"


def test_every_block_of_the_stylesheet_is_closed_and_no_media_block_is_nested():
    depth = 0
    for number, line in enumerate(STYLE.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("@media"):
            assert depth == 0, f"style.css:{number}: @media opened inside another block"
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"style.css:{number}: a block closed that was not open"
        if line and not line[0].isspace() and not line.startswith(("}", "/*", "@")) and depth > 1:
            raise AssertionError(f"style.css:{number}: a rule nested inside another block: {line[:40]}")
    assert depth == 0, "style.css ends with a block left open"

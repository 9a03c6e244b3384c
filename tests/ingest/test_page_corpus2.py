"""The second page corpus (tests/fixtures/pages2/): pages made by a generator written apart from the first one
and from the splitter, the splitter's measure on layouts it was not tuned on.

The generator is deterministic and the committed pages are its output; the corpus scores no worse than the
splitter did when the corpus was made (`python -m bench.pages tests/fixtures/pages2/corpus` prints the numbers),
so a change that costs these layouts is seen.
"""

from __future__ import annotations

import importlib.util
import sys

from helpers import FIXTURES
from service.ingest.pages.scoring import score_files

PAGES2 = FIXTURES / "pages2"


def test_the_committed_corpus_is_what_the_second_generator_makes(capsys):
    spec = importlib.util.spec_from_file_location("make_pages", PAGES2 / "make_pages.py")
    generator = importlib.util.module_from_spec(spec)
    sys.modules["make_pages"] = generator
    spec.loader.exec_module(generator)
    assert generator.main(["--check"]) == 0, capsys.readouterr().out


def test_the_second_corpus_scores_no_worse_than_before():
    tally, totals, details = score_files(sorted((PAGES2 / "corpus").glob("*.gold.json")))
    report = "\n".join(details)
    assert totals.f1 >= 0.92, report
    assert tally.rate("title") >= 0.77, report
    assert tally.rate("authors") >= 0.80, report
    assert tally.rate("header date") == 1.0, report

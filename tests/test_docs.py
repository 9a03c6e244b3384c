"""The documentation against the code it describes, read afresh on every run (as datasette's test_docs.py).

- docs/architecture.md's module table has one row for every module under service/ and none for a module
  that is gone;
- docs/api.md's error table has every error code the service can answer or exit with, and no other;
- docs/cli.md has a section for every `jiansuo` command, naming each of its options;
- README.md stays one screen of set-up and examples: at most 120 lines, with the two set-up commands CI and
  people copy, verbatim;
- every file under service/ or tests/ (and every test function) the README and the docs name exists, and
  every link between them leads to a file and heading that exist.

Everything is found by reading the tree (the files, their syntax trees, the argparse parser), so a module,
a code or a command added anywhere is caught without touching this file. Each failure names what is missing
or extra.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICE = ROOT / "service"
DOCS = ROOT / "docs"
README = ROOT / "README.md"

README_MAX_LINES = 120
SETUP_COMMANDS = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/jiansuo serve",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest",
)
COMPILED_SUFFIXES = (".c", ".pyx")


# --- markdown ----------------------------------------------------------------------------------------------


def section(text: str, heading: str) -> str:
    """The body of the markdown section whose heading line is `heading` (any level), up to the next heading
    of the same or a higher level."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"(#+)\s+(.*?)\s*$", line)
        if match and match.group(2) == heading:
            level = len(match.group(1))
            body = []
            for later in lines[number + 1:]:
                other = re.match(r"(#+)\s", later)
                if other and len(other.group(1)) <= level:
                    break
                body.append(later)
            return "\n".join(body)
    raise AssertionError(f"no section headed {heading!r}")


def table_rows(text: str) -> list[list[str]]:
    """The body rows of every markdown table in `text`, each a list of its cells (header and rule left out)."""
    rows, previous_was_table = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            previous_was_table = False
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", stripped.strip("|"))]
        if not previous_was_table or all(re.fullmatch(r":?-+:?", cell) for cell in cells):
            previous_was_table = True  # the header row, or the rule under it
            continue
        rows.append(cells)
    return rows


def first_cell_names(rows: list[list[str]], where: str) -> list[str]:
    """The one backticked name each row's first cell holds; a row naming none or several fails."""
    names = []
    for row in rows:
        found = re.findall(r"`([^`]+)`", row[0])
        assert len(found) == 1, f"{where}: a row must name exactly one item in its first cell, got {row[0]!r}"
        names.append(found[0])
    return names


def duplicates(names: list[str]) -> list[str]:
    return sorted({name for name in names if names.count(name) > 1})


# --- (a) the module table ------------------------------------------------------------------------------------


def is_module_of_its_own(path: Path) -> bool:
    """Every .py file but __main__.py; an __init__.py only where it holds more than a docstring (a package
    whose __init__ is code of its own, such as ingest/pages or native)."""
    if path.name == "__main__.py":
        return False
    if path.name != "__init__.py":
        return True
    body = ast.parse(path.read_text(encoding="utf-8")).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body)


def modules_in_tree() -> set[str]:
    """Every module under service/ as the table names it: its path below service/, and each compiled part of
    service/native by its stem (`native/_accumulate`), whichever source (C or Cython) it is built from."""
    names = {path.relative_to(SERVICE).as_posix() for path in SERVICE.rglob("*.py")
             if is_module_of_its_own(path)}
    names |= {path.relative_to(SERVICE).with_suffix("").as_posix() for path in (SERVICE / "native").iterdir()
              if path.suffix in COMPILED_SUFFIXES}
    return names


def test_the_module_table_lists_every_module_under_service_and_no_other():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    listed = first_cell_names(table_rows(section(text, "Modules")), "docs/architecture.md, Modules")
    present = modules_in_tree()
    assert not duplicates(listed), f"modules listed twice in docs/architecture.md: {duplicates(listed)}"
    missing = sorted(present - set(listed))
    extra = sorted(set(listed) - present)
    assert not (missing or extra), (
        f"docs/architecture.md's module table against service/: modules without a row: {missing}; "
        f"rows for modules that do not exist: {extra}")


# --- (b) the error codes -------------------------------------------------------------------------------------


@dataclass
class Source:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST]

    @property
    def name(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    def where(self, node: ast.AST) -> str:
        return f"{self.name}:{node.lineno}"

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
        return None

    def module_literal(self, name: str) -> ast.AST | None:
        """The literal (tuple, list, set, dict) a module-level name is assigned, if it is one."""
        for statement in self.tree.body:
            targets = (statement.targets if isinstance(statement, ast.Assign)
                       else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
            if any(isinstance(t, ast.Name) and t.id == name for t in targets) and statement.value is not None:
                if isinstance(statement.value, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                    return statement.value
        return None


def read_sources() -> list[Source]:
    sources = []
    for path in sorted(SERVICE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        sources.append(Source(path, tree, parents))
    return sources


def callee_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def strings(node: ast.AST | None) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    return set()


def literal_elements(literal: ast.AST, index: int | None) -> set[str] | None:
    """The strings a loop over `literal` gives (element `index` of each tuple, when the target is a tuple);
    None where an element is not a string literal."""
    elements = literal.keys if isinstance(literal, ast.Dict) else literal.elts
    found = set()
    for element in elements:
        if index is not None:
            if not isinstance(element, (ast.Tuple, ast.List)) or index >= len(element.elts):
                return None
            element = element.elts[index]
        if not strings(element):
            return None
        found |= strings(element)
    return found


class CodeFinder:
    """Every error code in service/: the `code` of each class of the error tree, every `code=` given to an
    error (or to a helper that passes its own `code` on to one), and the web layer's codes for what never
    reaches an error class (gunicorn's answers to unparsable requests, Werkzeug's errors, the 500 answer)."""

    def __init__(self) -> None:
        self.sources = read_sources()
        self.codes: dict[str, set[str]] = {}  # code -> where it comes from
        self.unresolved: list[str] = []
        self.error_classes = self._error_classes()
        self.constructors = set(self.error_classes) | self._code_passing_functions()

    def add(self, codes: set[str], where: str) -> None:
        for code in codes:
            self.codes.setdefault(code, set()).add(where)

    def _error_classes(self) -> set[str]:
        classes = {"JiansuoError"}
        while True:
            more = {node.name for source in self.sources for node in ast.walk(source.tree)
                    if isinstance(node, ast.ClassDef) and node.name not in classes
                    and any((base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)) in classes
                            for base in node.bases)}
            if not more:
                return classes
            classes |= more

    def _code_passing_functions(self) -> set[str]:
        """Functions with a `code` parameter that they hand to an error they raise (as `check_text`); the
        parameter's default is a code too."""
        found = set()
        for source in self.sources:
            for node in ast.walk(source.tree):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                if "code" not in {arg.arg for arg in node.args.args + node.args.kwonlyargs}:
                    continue
                for inner in ast.walk(node):
                    if (isinstance(inner, ast.Raise) and isinstance(inner.exc, ast.Call)
                            and any(k.arg == "code" for k in inner.exc.keywords)):
                        found.add(node.name)
                        self.add(self.parameter_values(node, "code") or set(), source.where(node))
        return found

    def find(self) -> dict[str, set[str]]:
        for source in self.sources:
            for node in ast.walk(source.tree):
                if isinstance(node, ast.ClassDef) and node.name in self.error_classes:
                    for statement in node.body:
                        if (isinstance(statement, ast.Assign)
                                and any(isinstance(t, ast.Name) and t.id == "code" for t in statement.targets)):
                            self.add(strings(statement.value), source.where(statement))
                elif isinstance(node, ast.Call) and callee_name(node) in self.constructors:
                    for keyword in node.keywords:
                        if keyword.arg == "code":
                            self.add(self.values(source, keyword.value), source.where(node))
                if source.path.is_relative_to(SERVICE / "web"):
                    self.web_layer(source, node)
        return self.codes

    def web_layer(self, source: Source, node: ast.AST) -> None:
        # {"error": {"code": "internal", ...}} written out by hand
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if strings(key) == {"code"}:
                    self.add(strings(value), source.where(node))
        # _PROTOCOL_ERROR_CODES = {400: "bad_request", ...}: the codes of statuses answered outside the app
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and any(
                isinstance(t, ast.Name) and t.id.endswith("_CODES") for t in node.targets):
            for value in node.value.values:
                self.add(strings(value), source.where(node))
        # a function about errors returning (code, message): the codes given to Werkzeug's own errors
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and node.value.elts:
            function = source.enclosing_function(node)
            if function is not None and "error" in function.name:
                self.add(strings(node.value.elts[0]), source.where(node))

    def values(self, source: Source, node: ast.AST) -> set[str]:
        """The strings a `code=` expression can be: a literal, a name bound to literals, or an f-string
        over such names. What cannot be told is recorded as unresolved (the test then fails)."""
        if strings(node):
            return strings(node)
        if isinstance(node, ast.Name):
            return self.name_values(source, node)
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    parts.append({value.value})
                elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
                    parts.append(self.name_values(source, value.value))
                else:
                    parts.append(set())
            if all(parts):
                return {"".join(combination) for combination in itertools.product(*parts)}
        self.unresolved.append(f"{source.where(node)}: {ast.unparse(node)}")
        return set()

    def name_values(self, source: Source, name: ast.Name) -> set[str]:
        function = source.enclosing_function(name)
        found = None
        if function is not None:
            found = (self.parameter_values(function, name.id) or self.loop_values(source, function, name.id)
                     or self.guarded_values(source, function, name.id))
        if not found:
            self.unresolved.append(f"{source.where(name)}: {name.id}")
            return set()
        return found

    def parameter_values(self, function: ast.FunctionDef, name: str) -> set[str] | None:
        """A parameter: its default, and what every call of the function in service/ passes for it."""
        positional = [arg.arg for arg in function.args.args]
        if name not in positional + [arg.arg for arg in function.args.kwonlyargs]:
            return None
        found = set()
        defaults = dict(zip(reversed(positional), reversed(function.args.defaults)))
        defaults |= {arg.arg: default for arg, default in zip(function.args.kwonlyargs, function.args.kw_defaults)}
        found |= strings(defaults.get(name))
        for source in self.sources:
            for call in ast.walk(source.tree):
                if not isinstance(call, ast.Call) or callee_name(call) != function.name:
                    continue
                if name in positional and positional.index(name) < len(call.args):
                    given = call.args[positional.index(name)]
                else:
                    given = next((k.value for k in call.keywords if k.arg == name), None)
                if given is not None:
                    if not strings(given):
                        return None
                    found |= strings(given)
        return found or None

    def loop_values(self, source: Source, function: ast.FunctionDef, name: str) -> set[str] | None:
        """A loop variable over a literal, or over a module-level literal by name (`for name in NAMES`)."""
        for loop in ast.walk(function):
            if not isinstance(loop, ast.For):
                continue
            if isinstance(loop.target, ast.Name) and loop.target.id == name:
                index = None
            elif isinstance(loop.target, ast.Tuple) and any(
                    isinstance(t, ast.Name) and t.id == name for t in loop.target.elts):
                index = next(i for i, t in enumerate(loop.target.elts) if isinstance(t, ast.Name) and t.id == name)
            else:
                continue
            iterated = loop.iter
            if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute) and \
                    iterated.func.attr in ("items", "keys"):
                if iterated.func.attr == "items":
                    index = None if index == 0 else index
                iterated = iterated.func.value
            if isinstance(iterated, ast.Name):
                iterated = source.module_literal(iterated.id)
            if isinstance(iterated, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                return literal_elements(iterated, index)
        return None

    def guarded_values(self, source: Source, function: ast.FunctionDef, name: str) -> set[str] | None:
        """A name the function first checks against a module-level literal (`ALLOWED.get(name)`,
        `name in ALLOWED`): the error after the check can only be for the literal's members."""
        for node in ast.walk(function):
            table = None
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                    and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == name
                    and isinstance(node.func.value, ast.Name)):
                table = node.func.value.id
            elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == name
                  and isinstance(node.ops[0], (ast.In, ast.NotIn)) and isinstance(node.comparators[0], ast.Name)):
                table = node.comparators[0].id
            literal = source.module_literal(table) if table else None
            if literal is not None:
                return literal_elements(literal, None)
        return None


@pytest.fixture(scope="module")
def error_codes() -> dict[str, set[str]]:
    finder = CodeFinder()
    codes = finder.find()
    assert not finder.unresolved, (
        "error codes this test cannot work out (write them as literals, or teach tests/test_docs.py how they "
        f"are made): {finder.unresolved}")
    return codes


def documented_codes() -> list[str]:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    return first_cell_names(table_rows(section(text, "Error codes")), "docs/api.md, Error codes")


def test_the_finder_sees_codes_of_every_kind(error_codes):
    # A class default, a literal code=, one made by an f-string, one passed through a helper, one of
    # gunicorn's and one of Werkzeug's: if any of these is lost, the finder has stopped reading the tree.
    for code in ("bad_query", "empty_query", "bad_explain", "bad_title", "request_line_too_long",
                 "method_not_allowed", "internal"):
        assert code in error_codes, code


def test_every_error_code_is_in_the_api_docs(error_codes):
    listed = documented_codes()
    assert not duplicates(listed), f"codes listed twice in docs/api.md: {duplicates(listed)}"
    missing = {code: sorted(where) for code, where in sorted(error_codes.items()) if code not in listed}
    assert not missing, f"error codes missing from docs/api.md's table of error codes (code: raised at): {missing}"


def test_the_api_docs_list_no_code_the_service_no_longer_has(error_codes):
    extra = sorted(set(documented_codes()) - set(error_codes))
    assert not extra, f"docs/api.md lists error codes nothing in service/ gives: {extra}"


# --- (c) the commands ----------------------------------------------------------------------------------------


def parser_commands() -> dict[str, argparse.ArgumentParser]:
    from service.cli import build_parser

    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert actions, "service/cli.py's parser has no subcommands"
    return {name: sub for action in actions for name, sub in action.choices.items()}


def option_strings(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings
            if option not in ("-h", "--help")}


def test_every_command_has_a_section_in_the_cli_docs():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in parser_commands()
               if not re.search(rf"^#+ `jiansuo {re.escape(name)}`", text, flags=re.MULTILINE)]
    assert not missing, f"commands without a section headed `jiansuo NAME` in docs/cli.md: {missing}"


def test_every_option_of_every_command_is_in_its_section():
    from service.cli import build_parser

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    # The global options, taken after a command too, are documented once, with the global ones.
    shared = option_strings(build_parser()) - {"--version"}
    missing = {}
    for name, parser in parser_commands().items():
        body = section(text, f"`jiansuo {name}`")
        absent = sorted(option for option in option_strings(parser) - shared if f"`{option}" not in body)
        if absent:
            missing[name] = absent
    assert not missing, f"options not named (in backticks) in their command's section of docs/cli.md: {missing}"


def test_the_global_options_are_in_the_cli_docs():
    from service.cli import build_parser

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    absent = sorted(option for option in option_strings(build_parser()) if f"`{option}" not in text)
    assert not absent, f"global options not named in docs/cli.md: {absent}"


# --- (d) the README ------------------------------------------------------------------------------------------


def test_the_readme_is_one_screen_of_set_up_and_examples():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; at most {README_MAX_LINES}"


@pytest.mark.parametrize("command", SETUP_COMMANDS)
def test_the_readme_holds_the_set_up_commands_verbatim(command):
    # CI (.ci/run) runs the test command exactly as the README gives it.
    lines = README.read_text(encoding="utf-8").splitlines()
    assert command in lines, f"README.md lacks the line {command!r}"


# --- (e) paths the docs name ---------------------------------------------------------------------------------

# service/x.py, tests/x/, tests/test_x.py::test_y, service/native/_name (a compiled part, by its stem)
PATH = re.compile(r"(?<![\w./-])((?:service|tests)/[\w./-]*[\w/])(?:::(\w+))?")


def named_paths() -> list[tuple[str, str, str | None]]:
    found = []
    for doc in [README, *sorted(DOCS.glob("*.md"))]:
        for match in PATH.finditer(doc.read_text(encoding="utf-8")):
            found.append((doc.relative_to(ROOT).as_posix(), match.group(1), match.group(2)))
    return found


# Folders the tests write to, which a fresh clone lacks until they have run.
MADE_BY_TESTS = {"tests/e2e/screenshots"}


def exists(path: str) -> bool:
    target = ROOT / path
    if target.exists() or path.rstrip("/") in MADE_BY_TESTS:
        return True
    # a compiled part named without its source's suffix
    return target.parent == SERVICE / "native" and any(
        target.with_suffix(suffix).exists() for suffix in COMPILED_SUFFIXES)


def test_every_file_the_docs_name_exists():
    stale = sorted({f"{doc}: {path}" for doc, path, _ in named_paths() if not exists(path)})
    assert not stale, f"paths named in the docs that are not in the tree: {stale}"


def test_every_test_the_docs_name_exists():
    stale = []
    for doc, path, function in named_paths():
        if function and exists(path):
            if not re.search(rf"^\s*(async )?def {function}\(", (ROOT / path).read_text(encoding="utf-8"),
                             flags=re.MULTILINE):
                stale.append(f"{doc}: {path}::{function}")
    assert not stale, f"tests named in the docs that are not in their files: {sorted(set(stale))}"


LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    return {slug(match.group(1)) for match in re.finditer(r"^#+\s+(.*?)\s*$", doc.read_text(encoding="utf-8"),
                                                         flags=re.MULTILINE)}


def test_every_link_between_the_docs_leads_somewhere():
    broken = []
    for doc in [README, ROOT / "CHANGELOG.md", *sorted(DOCS.glob("*.md"))]:
        for match in LINK.finditer(doc.read_text(encoding="utf-8")):
            target = match.group(1)
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            linked = (doc.parent / path).resolve() if path else doc
            if not linked.exists():
                broken.append(f"{doc.relative_to(ROOT).as_posix()}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{doc.relative_to(ROOT).as_posix()}: {target} (no such heading)")
    assert not broken, f"links in the docs that lead nowhere: {broken}"

"""Settings: declared once with their defaults and help, loaded from TOML.

`config.toml` at the project root lists every setting with its default; a test
keeps that file and the declarations below telling the same story. Unknown keys
and values of the wrong type or range fail at start, naming the key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config.toml"
CONFIG_ENV = "JIANSUO_CONFIG"
ADMIN_TOKEN_ENV = "JIANSUO_ADMIN_TOKEN"


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple | None = None
    optional_file: bool = False  # a file path, "" for none; relative to the config file; must exist
    may_be_empty: bool = False  # "" is a meaningful value (a feature left off)


SETTINGS: tuple[Setting, ...] = (
    Setting("paths", "data_dir", "instance",
            "where the article store and the index live (relative paths are relative to this file)"),
    Setting("paths", "corpus_dir", "corpus",
            "the embedded corpus `jiansuo serve` ingests when there is no index yet"),
    Setting("analysis", "opencc", "t2s",
            "OpenCC conversion applied before segmentation so both scripts find the same words",
            choices=("t2s", "tw2s", "hk2s")),
    Setting("analysis", "lowercase", True, "fold Latin letters to lower case for matching"),
    Setting("analysis", "user_dict", "",
            "jieba user dictionary (one `word [frequency] [tag]` a line) for names and terms of your archive; "
            "\"\" for none", optional_file=True),
    Setting("analysis", "stopwords", "",
            "words never searched or indexed, one a line (# starts a comment); \"\" for none", optional_file=True),
    Setting("bm25", "k1", 0.9, "BM25 term-frequency saturation (tuned on held-out queries: docs/ranking.md)",
            minimum=0.0, maximum=10.0),
    Setting("bm25", "b", 0.4, "BM25 length normalisation, 0 = none, 1 = full (tuned: docs/ranking.md)",
            minimum=0.0, maximum=1.0),
    Setting("bm25", "epsilon", 0.25,
            "floor for negative idf, as a fraction of the mean idf (rank-bm25's BM25Okapi)",
            minimum=0.0, maximum=1.0),
    Setting("ranking", "title_weight", 0.5,
            "weight of BM25 over title words, added to BM25 over title and body words", minimum=0.0, maximum=20.0),
    Setting("ranking", "grams_weight", 0.5,
            "weight of BM25 over character bigrams, which find words inside longer words and unknown names",
            minimum=0.0, maximum=20.0),
    Setting("ranking", "chars_weight", 0.5,
            "weight of BM25 over single characters, used for one-character query words", minimum=0.0,
            maximum=20.0),
    Setting("ranking", "lede_weight", 0.5,
            "weight of BM25 over the words of each article's lede (its opening sentences, without the dateline)",
            minimum=0.0, maximum=20.0),
    Setting("ranking", "lede_for_questions", False,
            "whether the lede weight also counts for a query asked as a question (什么, 谁, 如何, a closing ？): "
            "what a question asks may stand anywhere in an article"),
    Setting("ranking", "soft_match_from", 5,
            "queries of at least this many words (headlines, questions) match articles holding a share of them, "
            "not all; 0 = every query needs all its words", minimum=0, maximum=1000),
    Setting("ranking", "soft_match_fraction", 0.0,
            "the share of a long query's words an article must hold (rounded up, at least one): 0 ranks every "
            "article holding any of them", minimum=0.0, maximum=1.0),
    Setting("ranking", "proximity_weight", 1.0,
            "weight of the closeness of the query's words in an article (BM25TP), added to the best articles' "
            "scores", minimum=0.0, maximum=20.0),
    Setting("ranking", "proximity_depth", 100,
            "how many of the best articles the closeness of the query's words is weighed for",
            minimum=1, maximum=10000),
    Setting("ranking", "and_fallback_below", 1,
            "when fewer articles than this hold every query word, rank articles holding any of them instead",
            minimum=0, maximum=1000),
    Setting("search", "default_k", 10, "results per page when the caller does not say", minimum=1, maximum=100),
    Setting("search", "max_k", 100, "most results one request may ask for", minimum=1, maximum=1000),
    Setting("search", "max_offset", 10000, "deepest result offset one request may ask for", minimum=0,
            maximum=1_000_000),
    Setting("search", "max_query_chars", 256, "longest query accepted, in characters", minimum=1,
            maximum=10000),
    Setting("search", "max_query_terms", 96,
            "most words and filters one query may hold (a long word and the words inside it each count; a "
            "natural-language question can hold 40); each word costs passes over the index",
            minimum=1, maximum=1000),
    Setting("summary", "sentences", 2, "sentences in each hit's extractive summary", minimum=1, maximum=20),
    Setting("summary", "max_chars", 160,
            "longest summary in characters; sentences past it are left out", minimum=20, maximum=5000),
    Setting("summary", "query_budget_ms", 200,
            "time one search may spend on summaries for its query; later hits show the summary stored at ingest",
            minimum=0, maximum=60000),
    Setting("display", "traditional", "s2t",
            "OpenCC conversion for showing text in Traditional script: s2t (general), s2tw (Taiwan characters), "
            "s2twp (Taiwan characters and phrases), s2hk (Hong Kong characters)",
            choices=("s2t", "s2tw", "s2twp", "s2hk")),
    Setting("keywords", "count", 8, "keywords kept for each article (TF-IDF)", minimum=1, maximum=50),
    Setting("related", "default_k", 5, "related articles on an article page, and from the API when k is not given",
            minimum=1, maximum=100),
    Setting("entities", "background", True,
            "`jiansuo serve` reads the people, places and organisations of articles not read yet in a background "
            "process of the lowest priority (`jiansuo entities --update` does the same by hand)"),
    Setting("server", "host", "127.0.0.1", "address `jiansuo serve` binds to"),
    Setting("server", "port", 5000, "port `jiansuo serve` listens on", minimum=1, maximum=65535),
    # Searching holds the GIL nearly throughout: more threads than two in a worker only take turns, and
    # measured fewer requests a second (bench/scale.py's HTTP row, docs/performance.md).
    Setting("server", "threads", 2, "request threads of each WSGI server worker", minimum=1, maximum=256),
    Setting("server", "workers", 2,
            "worker processes of the WSGI server (gunicorn); they share the index files through the page cache",
            minimum=1, maximum=64),
    Setting("server", "max_body_bytes", 1048576,
            "largest request body accepted (POST /api/summarize); a larger one is refused with 413", minimum=1024,
            maximum=1073741824),
    Setting("server", "admin_token", "",
            "token that unlocks POST /api/ingest and DELETE /api/articles/<id> (sent as `Authorization: Bearer "
            "TOKEN`); \"\" leaves them off; $JIANSUO_ADMIN_TOKEN overrides it", may_be_empty=True),
    Setting("server", "max_upload_bytes", 16777216,
            "largest request body POST /api/ingest accepts (JSON articles or an uploaded file); larger: 413",
            minimum=1024, maximum=1073741824),
    Setting("server", "header_timeout", 10,
            "seconds a client has to send a request's line and headers (408 after); a slow client holds no "
            "request thread meanwhile", minimum=1, maximum=3600),
    Setting("server", "body_timeout", 60,
            "seconds a client has to send a request's body once its headers are in (408 after)", minimum=1,
            maximum=3600),
    Setting("server", "send_timeout", 30,
            "seconds an answer may wait for a client that does not read it before the connection is closed",
            minimum=1, maximum=3600),
    Setting("server", "request_budget_ms", 5000,
            "time one search or summary may take; past it the request is stopped and answered 503 over_budget "
            "(0: no budget)", minimum=0, maximum=600000),
    Setting("server", "max_summarize_chars", 100000,
            "longest text POST /api/summarize takes, in characters (413 text_too_long past it)", minimum=100,
            maximum=100_000_000),
    Setting("server", "heavy_at_once", 0,
            "heavy requests (summaries of posted text, explained searches, exports) each worker "
            "runs at once; more are refused with 503 `busy` at once. 0: one fewer than server.threads (at least 1)",
            minimum=0, maximum=256),
    Setting("server", "rate_limit_per_second", 10.0,
            "requests a second one client address may make, on average (a token bucket); 0 turns rate limits "
            "off", minimum=0.0, maximum=1_000_000.0),
    Setting("server", "rate_limit_burst", 40.0,
            "requests one client address may make at once before the average applies", minimum=1.0,
            maximum=1_000_000.0),
    Setting("server", "rate_limit_cost_ms", 100,
            "a request counts as one for every this many milliseconds it took (at least one): expensive "
            "searches and summaries use an allowance up sooner", minimum=1, maximum=600000),
    Setting("server", "rate_limit_loopback", False,
            "whether clients on a loopback address (127.0.0.0/8, ::1) are rate limited too; off, since behind "
            "a reverse proxy on the same machine every client has the proxy's address"),
    Setting("server", "admin_failures_per_minute", 10,
            "wrong admin tokens one address may send a minute; past it every admin request from it is 429 for a "
            "while", minimum=1, maximum=100000),
    Setting("ingest", "max_file_bytes", 67108864,
            "largest page file or uploaded file read whole; a larger one is skipped and reported (article files "
            "on disk, .jsonl and .csv, are read line by line at any size)", minimum=1,
            maximum=4294967296),
    Setting("ingest", "max_line_chars", 1048576,
            "longest line a file may hold (one .jsonl record, one line of a page); a file with a longer one is "
            "skipped and reported", minimum=80, maximum=67108864),
    Setting("ingest", "max_pages_per_file", 1000,
            "most pages one .txt file may hold; a file with more is skipped and reported", minimum=1,
            maximum=1000000),
    Setting("ingest", "workers", 2,
            "processes that analyse articles when an ingest or reindex has many (at most the machine's cores)",
            minimum=1, maximum=64),
    Setting("ingest", "find_copies", True,
            "find the articles that are the same story printed again (near-duplicates, docs/reprints.md) as they "
            "are stored; searches show one article per story"),
    Setting("ingest", "parallel_from", 2000,
            "fewest articles to analyse that are worth starting worker processes for (each loads the "
            "dictionaries, about a second); fewer are analysed in the ingesting process", minimum=1,
            maximum=100_000_000),
    Setting("index", "checksum_on_open_max_mb", 64,
            "index files up to this size are checked against their sha256 before the index opens; larger ones "
            "right after, in the background, queries refused once one fails; 0 checks every file so", minimum=0,
            maximum=1_000_000),
    Setting("index", "write_wait_seconds", 300,
            "how long an ingest, delete or reindex waits for another one writing the same archive to finish "
            "before giving up (exit code 8, HTTP 503 write_busy); 0 gives up at once", minimum=0,
            maximum=86400),
    Setting("cluster", "catalog", "",
            "a `jiansuo cluster build` output directory (its cluster.json and catalog.txt): searches then go to "
            "the Xapian shards in `replicas`, the articles still read from this archive's store; \"\" searches "
            "this machine's own index", may_be_empty=True),
    Setting("cluster", "replicas", [],
            "the shards' addresses, one list per replica, each listing every shard in order as \"host:port\" "
            "(a shard's channels answer on that port and the next four: `jiansuo cluster serve-shard`); a "
            "shard that does not answer is asked on the next list"),
    Setting("cluster", "timeout_ms", 10000,
            "how long the coordinator waits for a shard to connect or answer before trying its replica",
            minimum=100, maximum=600000),
)


@dataclass(frozen=True)
class Config:
    """Every setting as a typed attribute named `section_key`, plus where it came from."""

    paths_data_dir: Path
    paths_corpus_dir: Path
    analysis_opencc: str
    analysis_lowercase: bool
    analysis_user_dict: Path | None
    analysis_stopwords: Path | None
    ranking_title_weight: float
    ranking_grams_weight: float
    ranking_chars_weight: float
    ranking_lede_weight: float
    ranking_lede_for_questions: bool
    ranking_soft_match_from: int
    ranking_soft_match_fraction: float
    ranking_proximity_weight: float
    ranking_proximity_depth: int
    ranking_and_fallback_below: int
    bm25_k1: float
    bm25_b: float
    bm25_epsilon: float
    search_default_k: int
    search_max_k: int
    search_max_offset: int
    search_max_query_chars: int
    search_max_query_terms: int
    summary_sentences: int
    summary_max_chars: int
    display_traditional: str
    summary_query_budget_ms: int
    keywords_count: int
    related_default_k: int
    entities_background: bool
    server_host: str
    server_port: int
    server_threads: int
    server_workers: int
    server_max_body_bytes: int
    server_max_upload_bytes: int
    server_header_timeout: int
    server_body_timeout: int
    server_send_timeout: int
    server_request_budget_ms: int
    server_max_summarize_chars: int
    server_heavy_at_once: int
    server_rate_limit_per_second: float
    server_rate_limit_burst: float
    server_rate_limit_cost_ms: int
    server_rate_limit_loopback: bool
    server_admin_failures_per_minute: int
    ingest_max_file_bytes: int
    ingest_max_line_chars: int
    ingest_max_pages_per_file: int
    ingest_workers: int
    ingest_find_copies: bool
    ingest_parallel_from: int
    index_checksum_on_open_max_mb: int
    index_write_wait_seconds: int
    cluster_catalog: Path | None = None
    cluster_replicas: tuple[tuple[str, ...], ...] = ()
    cluster_timeout_ms: int = 10000
    # Not shown in reprs and logs.
    server_admin_token: str = field(default="", repr=False)
    source: Path | None = field(default=None, compare=False)

    @property
    def data_dir(self) -> Path:
        return self.paths_data_dir

    @property
    def corpus_dir(self) -> Path:
        return self.paths_corpus_dir

    def with_overrides(self, **values: Any) -> "Config":
        return replace(self, **values)


def _check(setting: Setting, value: Any) -> Any:
    name = f"{setting.section}.{setting.key}"
    expected = type(setting.default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if type(value) is not expected:
        raise ConfigError(
            f"config {name} must be {expected.__name__}, got {type(value).__name__} {value!r}",
            code="bad_config_value")
    if setting.choices is not None and value not in setting.choices:
        raise ConfigError(f"config {name} must be one of {', '.join(map(str, setting.choices))}, got {value!r}",
                          code="bad_config_value")
    if setting.minimum is not None and value < setting.minimum:
        raise ConfigError(f"config {name} must be at least {setting.minimum}, got {value!r}", code="bad_config_value")
    if setting.maximum is not None and value > setting.maximum:
        raise ConfigError(f"config {name} must be at most {setting.maximum}, got {value!r}", code="bad_config_value")
    if (isinstance(value, str) and not value.strip() and setting.section != "paths" and not setting.optional_file
            and not setting.may_be_empty):
        raise ConfigError(f"config {name} must not be empty", code="bad_config_value")
    return value


def from_mapping(raw: dict, base_dir: Path, source: Path | None = None) -> Config:
    """Validate a parsed TOML mapping; relative paths resolve against `base_dir`."""
    known = {(s.section, s.key): s for s in SETTINGS}
    sections = {s.section for s in SETTINGS}
    for section, table in raw.items():
        if section not in sections:
            raise ConfigError(f"unknown config section [{section}]", code="unknown_config_key")
        if not isinstance(table, dict):
            raise ConfigError(f"config [{section}] must be a table", code="bad_config_value")
        for key in table:
            if (section, key) not in known:
                raise ConfigError(f"unknown config key {section}.{key}", code="unknown_config_key")
    values: dict[str, Any] = {}
    for s in SETTINGS:
        value = _check(s, raw.get(s.section, {}).get(s.key, s.default))
        if s.section == "paths":
            if not value.strip():
                raise ConfigError(f"config {s.section}.{s.key} must not be empty", code="bad_config_value")
            path = Path(value).expanduser()
            value = path if path.is_absolute() else (base_dir / path)
        elif s.optional_file:
            if value.strip():
                path = Path(value).expanduser()
                value = path if path.is_absolute() else (base_dir / path)
                if not value.is_file():
                    raise ConfigError(f"config {s.section}.{s.key}: file {value} does not exist",
                                      code="bad_config_value")
            else:
                value = None
        values[f"{s.section}_{s.key}"] = value
    _check_cluster(values, base_dir)
    values["server_admin_token"] = check_admin_token(values["server_admin_token"], "config server.admin_token")
    return Config(**values, source=source)


def _check_cluster(values: dict[str, Any], base_dir: Path) -> None:
    """[cluster]: the catalog a directory, the replicas lists of "host:port" of one length; both or neither."""
    catalog = values["cluster_catalog"].strip()
    replicas = values["cluster_replicas"]
    for number, replica in enumerate(replicas):
        if not isinstance(replica, list) or not replica:
            raise ConfigError(f"config cluster.replicas[{number}] must be a non-empty list of \"host:port\" "
                              f"addresses, got {replica!r}", code="bad_config_value")
        if len(replica) != len(replicas[0]):
            raise ConfigError(f"config cluster.replicas[{number}] lists {len(replica)} shards, "
                              f"cluster.replicas[0] {len(replicas[0])}: every replica lists every shard",
                              code="bad_config_value")
        for address in replica:
            host, _, port = address.rpartition(":") if isinstance(address, str) else ("", "", "")
            if not host or not port.isdigit() or not 1 <= int(port) <= 65535 - 4:
                raise ConfigError(f"config cluster.replicas[{number}]: {address!r} is not \"host:port\" (a port "
                                  "from 1 to 65531: the shard's channels use it and the next four)",
                                  code="bad_config_value")
    if bool(catalog) != bool(replicas):
        raise ConfigError("config cluster.catalog and cluster.replicas go together: give both to search shards, "
                          "neither to search this machine's index", code="bad_config_value")
    path = None
    if catalog:
        path = Path(catalog).expanduser()
        path = path if path.is_absolute() else base_dir / path
        if not path.is_dir():
            raise ConfigError(f"config cluster.catalog: directory {path} does not exist", code="bad_config_value")
    values["cluster_catalog"] = path
    values["cluster_replicas"] = tuple(tuple(r) for r in replicas)


def check_admin_token(token: str, where: str) -> str:
    """HTTP headers carry only ASCII, and a token with spaces would be cut at the first one."""
    token = token.strip()
    if token and not all("!" <= ch <= "~" for ch in token):
        raise ConfigError(f"{where} must be printable ASCII without spaces (it is sent in an HTTP header)",
                          code="bad_config_value")
    return token


def load(path: str | os.PathLike | None = None, env: dict | None = None) -> Config:
    """Load settings from `path`, else $JIANSUO_CONFIG, else the project's `config.toml`, else defaults."""
    env = os.environ if env is None else env
    config = _load_file(path, env)
    # A secret is better kept out of a file that is checked in or shared.
    if env.get(ADMIN_TOKEN_ENV) is not None:
        config = config.with_overrides(server_admin_token=check_admin_token(env[ADMIN_TOKEN_ENV],
                                                                            f"${ADMIN_TOKEN_ENV}"))
    return config


def _load_file(path: str | os.PathLike | None, env) -> Config:
    chosen = path or env.get(CONFIG_ENV)
    if chosen:
        config_path = Path(chosen)
        if not config_path.is_file():
            raise ConfigError(f"config file {config_path} does not exist", code="config_missing")
    elif DEFAULT_CONFIG_FILE.is_file():
        config_path = DEFAULT_CONFIG_FILE
    else:
        return from_mapping({}, base_dir=PROJECT_ROOT)
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {config_path} is not UTF-8: {exc}", code="bad_config_file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {config_path} is not valid TOML: {exc}", code="bad_config_file") from exc
    return from_mapping(raw, base_dir=config_path.resolve().parent, source=config_path)


def defaults() -> Config:
    return from_mapping({}, base_dir=PROJECT_ROOT)


def render_default_toml() -> str:
    """The text of `config.toml`: every setting with its default and one line of help."""
    out = ["# Jiansuo settings. Every setting is listed with its default; delete a line to keep the default.",
           "# Relative paths are relative to this file. Another file: `jiansuo --config FILE` or $JIANSUO_CONFIG."]
    section = None
    for s in SETTINGS:
        if s.section != section:
            section = s.section
            out.append("")
            out.append(f"[{section}]")
        out.append(f"# {s.help}")
        out.append(f"{s.key} = {_toml_value(s.default)}")
    return "\n".join(out) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


__all__ = ["Config", "SETTINGS", "Setting", "load", "defaults", "from_mapping", "render_default_toml"]

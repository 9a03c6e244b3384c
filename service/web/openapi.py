"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect). Objects list every field the service sends and do
not forbid others, so that clients built on this document keep working when fields are added.
"""

from __future__ import annotations

from .. import __version__
from ..config import Config
from ..export import FORMATS as EXPORT_FORMATS, MEDIA_TYPES as EXPORT_MEDIA_TYPES
from ..search.display import SCRIPTS
from ..search.query import SORTS
from ..search.facets import MAX_SECTION_CHARS
from ..search.significant import MAX_TERMS, SAMPLE
from ..search.trends import BY, MAX_PERIODS, MAX_QUERIES

DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


def _nullable(kind: str, **more) -> dict:
    return {"type": [kind, "null"], **more}


def _object(required: dict, optional: dict | None = None, description: str | None = None) -> dict:
    schema = {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}}
    if description:
        schema["description"] = description
    return schema


def _query_parameter(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_LAG = {"type": "integer", "minimum": 0,
        "description": "store revisions (committed ingests and deletes) the index does not hold yet: 0 when every "
                       "stored article is searchable; above 0 during a write, or after one stopped between storing "
                       "and indexing (the server catches up when it starts; `jiansuo reindex`)"}


def _schemas() -> dict:
    string_list = {"type": "array", "items": {"type": "string"}}
    spans = {"type": "array", "items": _ref("Span")}
    counts = {"type": "array", "items": _ref("Count")}
    return {
        "Error": _object({"error": _object({
            "code": {"type": "string", "description": "stable, machine-readable: empty_query, bad_k, "
                                                      "article_not_found, body_too_large, ..."},
            "message": {"type": "string", "description": "for people; names the parameter or limit"},
        }, {"new_id": {"type": "string", "description": "article_replaced: the article correcting this id's"}})}),
        "Span": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2, "maxItems": 2,
                 "description": "[start, end) character offsets into the text it belongs to"},
        "Count": _object({"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}),
        "Facets": _object({
            "month": {**counts, "description": "matches per month (YYYY-MM), in date order"},
            "day": {**counts, "description": "matches per day (YYYY-MM-DD), when their dates span two months or "
                                             "less; otherwise empty"},
            "section": {**counts, "description": "matches per section, most first"},
            "undated": {"type": "integer", "minimum": 0, "description": "matches without a date"},
            "first": _nullable("string", description="earliest day among the dated matches"),
            "last": _nullable("string", description="latest day among the dated matches"),
        }, {
            "terms": {"type": "array", "maxItems": MAX_TERMS, "items": _ref("SignificantTerm"),
                      "description": "with facets=terms: the words that characterise the hits, best first"},
        }),
        "SignificantTerm": _object({
            "value": {"type": "string", "description": "the word as the hits most often write it (in `script`)"},
            "count": {"type": "integer", "minimum": 1,
                      "description": f"how many of the best {SAMPLE} hits (the sample) hold it"},
            "archive_count": {"type": "integer", "minimum": 1, "description": "articles of the archive holding it"},
            "score": {"type": "number", "exclusiveMinimum": 0,
                      "description": "JLH: (fg - bg) * fg / bg, fg and bg its share of the sample and the archive"},
        }),
        "Trends": _object({
            "by": {"type": "string", "enum": list(BY)},
            "from": _nullable("string", description="the first day of the first period (YYYY-MM-DD); null when "
                                                    "the archive holds no dated article"),
            "to": _nullable("string", description="the last day of the last period"),
            "section": _nullable("string"),
            "series": {"type": "array", "maxItems": MAX_QUERIES, "items": _object({
                "query": {"type": "string"},
                "total": {"type": "integer", "minimum": 0,
                          "description": "the query's matches under the filters, those whose date names no period "
                                         "of the unit (no date, or a year alone by month) included; stories, the "
                                         "printings of one counted once, as /api/search's total"},
                "points": {"type": "array", "description": "every period in order, zeros included",
                           "items": _object({
                               "period": {"type": "string", "description": "YYYY or YYYY-MM"},
                               "hits": {"type": "integer", "minimum": 0},
                               "share": {"type": "number", "minimum": 0, "maximum": 1,
                                         "description": "hits / articles (0 when the period has none)"},
                               "articles": {"type": "integer", "minimum": 0,
                                            "description": "the articles of the period the filters keep"},
                           }, {"printings": {"type": "integer", "minimum": 0,
                                             "description": "the matching articles of the period, each printing of "
                                                            "a story counted (hits counts stories)"}})},
            }, {"printings": {"type": "integer", "minimum": 0,
                              "description": "every matching article, each printing counted"}})},
        }),
        "Hit": _object({
            "id": {"type": "string"}, "rank": {"type": "integer", "minimum": 1}, "score": {"type": "number"},
            "title": {"type": "string"}, "date": _nullable("string"), "section": _nullable("string"),
            "page": _nullable("string"), "authors": string_list,
            "kind": {"type": "string", "enum": ["article", "photo"]},
            "summary": {"type": "string", "description": "a few of the article's own sentences"},
            "highlights": {**spans, "description": "query terms in `summary`"},
            "title_highlights": {**spans, "description": "query terms in `title`"},
            "copies": {**string_list, "description": "the other articles that are the same story, oldest first"},
            "folded": {"type": "integer", "minimum": 0,
                       "description": "how many of `copies` matched too and are stood for by this hit (0 with "
                                      "collapse=0)"},
        }, {
            "explain": _object({
                "weights": {"type": "object", "additionalProperties": {"type": "number"},
                            "description": "the weight of each channel in the score"},
                "channels": {"type": "object", "additionalProperties": {
                    "type": "object", "additionalProperties": {"type": "number"}},
                    "description": "channel -> term -> weighted BM25 contribution; with `proximity` they add "
                                   "up to `score`"},
                "proximity": {"type": "number", "minimum": 0,
                              "description": "the weighted closeness of the query's words in the article (BM25TP)"},
            }, description="with explain=1: the score taken apart"),
        }),
        "SearchResults": _object({
            "query": {"type": "string"}, "total": {"type": "integer", "minimum": 0,
                                                   "description": "matching stories (collapse=1) or articles "
                                                                  "(collapse=0) after filters"},
            "offset": {"type": "integer", "minimum": 0}, "k": {"type": "integer", "minimum": 1},
            "took_ms": {"type": "number", "minimum": 0},
            "terms": {**string_list, "description": "the query as analysed (Simplified, segmented)"},
            "mode": {"type": "string", "enum": ["and", "most", "or", "filter"],
                     "description": "and: every query word matched; most: a long query (ranking.soft_match_from "
                                    "words or more), each match holds at least `min_match` of its `match_words` "
                                    "words; or: too few articles held them all, so articles holding any are "
                                    "ranked; filter: the query held only filters"},
            "min_match": _nullable("integer", description="mode most: how many of the query's words each match "
                                                          "holds; null otherwise"),
            "match_words": {"type": "integer", "minimum": 0,
                            "description": "mode most: the words of the query counted; 0 otherwise"},
            "author_suggestions": {"type": "array", "items": _object({
                "word": {"type": "string", "description": "the query's word"},
                "author": {"type": "string", "description": "the author it names, as articles name them"},
                "query": {"type": "string", "description": "the query with the word as an `author:` filter"}}),
                "description": "when nothing matched: the query's words that are an author's name in the "
                               "archive (bylines are filtered on with author:, not searched as text); empty "
                               "otherwise"},
            "results": {"type": "array", "items": _ref("Hit")},
            "script": _nullable("string", enum=[*SCRIPTS, None],
                                description="the script of the returned texts; null: as stored"),
            "filters": _object({"date_from": _nullable("string"), "date_to": _nullable("string"),
                                "section": _nullable("string")}),
            "facets": _ref("Facets"),
            "index_generation": _nullable("string", description="the index generation that answered; one "
                                                                 "answer never mixes two"),
            "sort": {"type": "string", "enum": list(SORTS), "description": "the order of the hits"},
            "collapse": {"type": "boolean", "description": "one hit per story: `total`, `offset` and ranks count "
                                                           "stories"},
            "articles": {"type": "integer", "minimum": 0, "description": "matching articles after filters"},
            "stories": {"type": "integer", "minimum": 0,
                        "description": "matching stories: an article and its copies counted once"},
        }),
        "Dates": _object({"dates": {"type": "array", "items": _object({
            "date": {"type": "string", "description": "YYYY-MM-DD"}, "count": {"type": "integer", "minimum": 1}})}}),
        "DayPages": _object({
            "date": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
            "pages": {"type": "array", "description": "printed pages as they are turned (A2 before A10), then the "
                                                      "day's articles without a page by section, then the unpaged",
                      "items": _object({
                          "key": {"type": "string", "description": "what /api/pages/{date}/{page} takes"},
                          "page": _nullable("string", description="the printed page code; null without one"),
                          "section": _nullable("string"), "count": {"type": "integer", "minimum": 1},
                          "ids": {**string_list, "description": "in printed order"}})},
            "previous_date": _nullable("string", description="the day with articles before it"),
            "next_date": _nullable("string", description="the day with articles after it"),
        }),
        "PageView": _object({
            "date": {"type": "string"}, "key": {"type": "string"}, "page": _nullable("string"),
            "section": _nullable("string"), "count": {"type": "integer", "minimum": 0},
            "articles": {"type": "array", "description": "in printed order", "items": _object({
                "id": {"type": "string"}, "title": {"type": "string"}, "kicker": _nullable("string"),
                "subtitle": _nullable("string"), "authors": string_list, "position": _nullable("integer"),
                "kind": {"type": "string", "enum": ["article", "photo"]}, "section": _nullable("string"),
                "page": _nullable("string"), "summary": {"type": "string"}})},
            "previous_page": _nullable("string", description="the key of the day's page before"),
            "next_page": _nullable("string", description="the key of the day's page after"),
            "previous_date": _nullable("string"), "next_date": _nullable("string"),
        }),
        "Article": _object({
            "id": {"type": "string"}, "title": {"type": "string"},
            "body": {"type": "string", "description": "paragraphs separated by a newline"},
            "paragraphs": string_list, "date": _nullable("string"), "section": _nullable("string"),
            "page": _nullable("string"), "authors": string_list,
            "kind": {"type": "string", "enum": ["article", "photo"]},
            "source": _nullable("string", description="the file it was read from"),
            "position": _nullable("integer", description="its place on its page"),
            "editor": _nullable("string"),
            "kicker": _nullable("string", description="the line set above the headline"),
            "subtitle": _nullable("string", description="the line set below the headline"),
            "source_page": _nullable("integer", description="the page's ordinal in a file of several pages"),
            "warnings": string_list,
            "script": _nullable("string", enum=[*SCRIPTS, None]),
            "terms": string_list,
            "title_highlights": {**spans, "description": "terms of `q` in `title`"},
            "paragraph_highlights": {"type": "array", "items": spans,
                                     "description": "terms of `q` in each of `paragraphs`"},
            "keywords": {**string_list, "description": "the article's keywords as written in it, best first"},
            "copies": {**string_list, "description": "the other articles that are the same story, oldest first"},
        }),
        "Related": _object({
            "id": {"type": "string", "description": "the article asked about"},
            "related": {"type": "array", "description": "the articles most like it, most alike first",
                        "items": _object({
                            "id": {"type": "string"}, "title": {"type": "string"}, "date": _nullable("string"),
                            "section": _nullable("string"), "page": _nullable("string"),
                            "kind": {"type": "string", "enum": ["article", "photo"]},
                            "score": {"type": "number"},
                            "summary": {"type": "string", "description": "its stored generic summary"}})},
        }),
        "SummarizeRequest": _object(
            {"text": {"type": "string", "minLength": 1}},
            {"sentences": {"type": "integer", "minimum": 1, "maximum": 100,
                           "description": "sentences to keep (default: summary.sentences)"},
             "query": {"type": "string", "description": "prefer sentences with these words and mark them"},
             "max_chars": {"type": "integer", "minimum": 1, "description": "character budget (default: none)"},
             "title": {"type": "string", "description": "the text's title: steers the choice towards what it names, "
                                                         "and tells commentary and briefs columns by their titles"},
             "kind": {"type": "string", "enum": ["article", "news", "post", "commentary", "photo", "briefs"],
                      "description": "the kind of text: article (the default) has it recognised; photo is a photo "
                                     "story, summarised by its caption; the others say which kind it is"}}),
        "Summary": _object({"summary": {"type": "string"},
                            "highlights": {**spans, "description": "terms of `query` in `summary`"}}),
        "Stats": _object({
            "articles": {"type": "integer", "minimum": 0}, "index_generation": _nullable("string"),
            "index_bytes": {"type": "integer", "minimum": 0}, "last_ingest": _nullable("string"),
            "index_segments": {"type": "integer", "minimum": 0,
                               "description": "how many segments the live generation is made of (docs/index-format.md)"},
            "analyzer": {"type": "string", "description": "fingerprint of the analysis the index was built with"},
            "facets": {**_ref("Facets"), "description": "the whole archive by month, day and section"},
            "index_current": {"type": "boolean",
                              "description": "whether the index holds every stored article (`jiansuo reindex` if not)"},
            "index_lag": _LAG,
        }),
        "IngestRequest": _object({"articles": {"type": "array", "items": _object(
            {"body": {"type": "string", "minLength": 1, "description": "paragraphs separated by a newline "
                                                                      "(also accepted as `text`)"}},
            {"id": {"type": ["string", "integer"], "description": "left out: made from title and body"},
             "title": {"type": "string"}, "date": {"type": "string", "pattern": DATE_PATTERN},
             "section": {"type": "string"}, "page": {"type": "string"},
             "authors": {"oneOf": [string_list, {"type": "string"}]}, "kind": {"type": "string",
                                                                               "enum": ["article", "photo"]},
             "source": {"type": "string"}, "kicker": {"type": "string"}, "subtitle": {"type": "string"}},
            description="the fields of a .jsonl import line"
        )}}),
        "IngestReport": _object({
            "files": {"type": "integer", "minimum": 0},
            "added": {**string_list, "description": "ids of articles new to the archive"},
            "replaced": {**string_list, "description": "ids of stored articles whose text changed"},
            "unchanged": {"type": "integer", "minimum": 0, "description": "articles already stored as given"},
            "skipped": {"type": "integer", "minimum": 0, "description": "records or files that could not be read"},
            "problems": {**string_list, "description": "why each was skipped, with where (position or line)"},
            "warnings": string_list,
            "index_generation": _nullable("string", description="the index generation now live, when it changed"),
            "removed": {**string_list, "description": "articles a page read again no longer yields"},
        }),
        "DeleteReport": _object({"deleted": string_list, "missing": string_list,
                                 "index_generation": _nullable("string")}),
        "Health": _object({"status": {"type": "string", "enum": ["ok"]}, "articles": {"type": "integer"},
                           "index_generation": _nullable("string"), "index_lag": _LAG}),
    }


def document(config: Config, max_body_bytes: int | None = None) -> dict:
    max_body_bytes = max_body_bytes or config.server_max_body_bytes
    script = _query_parameter("script", "the script of every returned text; leave out for the text as stored",
                              {"type": "string", "enum": list(SCRIPTS)})
    unusable = _error("no usable index (missing, damaged, or built by another analyzer); the message says "
                      "which command fixes it")
    bad = _error("a parameter cannot be used; `message` names it")
    filters = [
        _query_parameter("date_from", "earliest date kept (YYYY-MM-DD, YYYY-MM or YYYY); an article is kept when "
                                      "all of its date lies in the range", {"type": "string", "pattern": DATE_PATTERN}),
        _query_parameter("date_to", "latest date kept (YYYY-MM-DD, YYYY-MM or YYYY)",
                         {"type": "string", "pattern": DATE_PATTERN}),
        _query_parameter("section", "keep only this section (either script)",
                         {"type": "string", "maxLength": MAX_SECTION_CHARS}),
    ]
    sort = _query_parameter("sort", "relevance (by score), newest or oldest (by date, undated articles last); "
                                    "default relevance, newest for a query made only of filters",
                            {"type": "string", "enum": list(SORTS)})
    return _with_entities({
        "openapi": "3.1.0",
        "info": {"title": "Jiansuo (检索)", "version": __version__,
                 "description": "Search and summaries over a Chinese newspaper archive. Every error is "
                                "`{\"error\": {\"code\", \"message\"}}` with its HTTP status."},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/api/search": {"get": {
                "operationId": "search",
                "summary": "ranked articles with summaries, highlight spans and counts by month and section",
                "parameters": [
                    _query_parameter("q", f"the query, in either script (at most {config.search_max_query_chars} "
                                          "characters)", {"type": "string", "minLength": 1}, required=True),
                    _query_parameter("k", "results to return",
                                     {"type": "integer", "minimum": 1, "maximum": config.search_max_k,
                                      "default": config.search_default_k}),
                    _query_parameter("offset", "results to skip",
                                     {"type": "integer", "minimum": 0, "maximum": config.search_max_offset,
                                      "default": 0}),
                    script,
                    *filters,
                    _query_parameter("explain", "1: take each hit's score apart by channel and term",
                                     {"type": "string", "enum": ["0", "1"]}),
                    sort,
                    _query_parameter("facets", "more facets to count, comma-separated: terms (the words that "
                                               "characterise the hits, `facets.terms`)", {"type": "string"}),
                    _query_parameter("collapse", "1 (the default): one hit per story, the best-ranked of an article "
                                     "and its copies; 0: every matching article",
                                     {"type": "string", "enum": ["0", "1"], "default": "1"}),
                ],
                "responses": {"200": _json(_ref("SearchResults"), "the page of results asked for"),
                              "400": bad, "503": unusable, "default": _error("any other failure")},
            }},
            "/api/trends": {"get": {
                "operationId": "trends",
                "summary": "hits per year or month of up to five queries, each with its share of the period's "
                           "articles",
                "description": "Every period from `from` (or the archive's first dated article) to `to` (or its "
                               f"last) is a point, zeros included; at most {MAX_PERIODS} periods. Queries are "
                               "matched as /api/search matches them.",
                "parameters": [
                    _query_parameter("q", f"a query; give it up to {MAX_QUERIES} times (q=A&q=B)",
                                     {"type": "string", "minLength": 1}, required=True),
                    _query_parameter("by", "the period", {"type": "string", "enum": list(BY), "default": "month"}),
                    _query_parameter("from", "earliest date kept (YYYY-MM-DD, YYYY-MM or YYYY)",
                                     {"type": "string", "pattern": DATE_PATTERN}),
                    _query_parameter("to", "latest date kept (YYYY-MM-DD, YYYY-MM or YYYY)",
                                     {"type": "string", "pattern": DATE_PATTERN}),
                    filters[2],
                ],
                "responses": {"200": _json(_ref("Trends"), "one series per query, in the order given"),
                              "400": bad, "503": unusable, "default": _error("any other failure")},
            }},
            "/api/export": {"get": {
                "operationId": "export",
                "summary": "every hit of a query, streamed as CSV, JSON lines, RIS or GB/T 7714 references",
                "description": "The filters and sort of /api/search without `k` or `offset`: every hit, in ranked or "
                               "sorted order. Each hit's link is this server's `/articles/` followed by its "
                               "percent-encoded id. Everything is checked before the first byte; the answer is "
                               "then streamed (no Content-Length) and is not cut by server.request_budget_ms.",
                "parameters": [
                    _query_parameter("q", "the query, as for /api/search", {"type": "string", "minLength": 1},
                                     required=True),
                    _query_parameter("format", "csv (UTF-8 with a byte-order mark, for Excel), jsonl, ris (type "
                                               "NEWS, for Zotero) or gbt7714 (GB/T 7714-2015 [N] references)",
                                     {"type": "string", "enum": list(EXPORT_FORMATS)}, required=True),
                    sort, script, *filters,
                    _query_parameter("publication", "the newspaper's name, for ris and gbt7714", {"type": "string"}),
                ],
                "responses": {"200": {
                    "description": "the hits, a line (a record for ris) each; headers `X-Total-Count` (hits of the "
                                   "query) and `X-Sort` (the order), and a Content-Disposition file name",
                    "headers": {"X-Total-Count": {"schema": {"type": "integer", "minimum": 0}},
                                "X-Sort": {"schema": {"type": "string", "enum": list(SORTS)}}},
                    "content": {EXPORT_MEDIA_TYPES[fmt].split(";")[0]: {"schema": {"type": "string"}}
                                for fmt in EXPORT_FORMATS}},
                    "400": bad, "503": _error("no usable index, or the worker already runs its heavy requests "
                                              "(`busy`, server.heavy_at_once)"),
                    "default": _error("any other failure")},
            }},
            "/api/dates": {"get": {
                "operationId": "dates",
                "summary": "the days that have articles, with how many, in date order",
                "parameters": [
                    _query_parameter("from", "first day (YYYY-MM-DD, YYYY-MM or YYYY; a month or year from its "
                                             "first day)", {"type": "string", "pattern": DATE_PATTERN}),
                    _query_parameter("to", "last day (a month or year to its last day)",
                                     {"type": "string", "pattern": DATE_PATTERN}),
                ],
                "responses": {"200": _json(_ref("Dates"), "the days"), "400": bad,
                              "default": _error("any other failure")},
            }},
            "/api/pages": {"get": {
                "operationId": "pages",
                "summary": "a day's pages in printed order, each with its articles' ids in printed order",
                "parameters": [_query_parameter("date", "the day", {"type": "string",
                                                                    "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                                                required=True)],
                "responses": {"200": _json(_ref("DayPages"), "the day's pages (none when it has no articles)"),
                              "400": bad, "default": _error("any other failure")},
            }},
            "/api/pages/{date}/{page}": {"get": {
                "operationId": "page",
                "summary": "one page of a day: its articles in printed order, with the pages and days either side",
                "parameters": [
                    {"name": "date", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "page", "in": "path", "required": True, "schema": {"type": "string"},
                     "description": "a page's `key` from /api/pages: its code (B03), else its section, else "
                                    "`unpaged`; matched without case"},
                    script,
                ],
                "responses": {"200": _json(_ref("PageView"), "the page"), "400": bad,
                              "404": _error("the day has no page by that key; the message lists its pages"),
                              "default": _error("any other failure")},
            }},
            "/api/articles/{id}": {"get": {
                "operationId": "article",
                "summary": "one stored article; with `q`, where its terms are",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    _query_parameter("q", "a query whose terms to locate in title and paragraphs",
                                     {"type": "string"}),
                    script,
                ],
                "responses": {"200": _json(_ref("Article"), "the article"), "400": bad,
                              "301": {**_error("a corrected reading of its page replaced the article: `Location` "
                                               "and `new_id` name the one correcting it"),
                                      "headers": {"Location": {"schema": {"type": "string"}}}},
                              "404": _error("no article with that id"), "default": _error("any other failure")},
            }, "delete": {
                "operationId": "deleteArticle",
                "summary": "remove one article from the archive and the index",
                "description": "Needs the admin token, as POST /api/ingest does.",
                "security": [{"adminToken": []}],
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json(_ref("DeleteReport"), "deleted; the index no longer finds it"),
                              "400": _error("the id is not one an article can have"),
                              "401": _error("no `Authorization` header"),
                              "403": _error("the token is wrong or empty, or writing is turned off"),
                              "404": _error("no article with that id"), "default": _error("any other failure")},
            }},
            "/api/articles/{id}/related": {"get": {
                "operationId": "related",
                "summary": "the articles most like this one (its keywords as a query), itself left out",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    _query_parameter("k", "how many", {"type": "integer", "minimum": 1,
                                                       "maximum": config.search_max_k,
                                                       "default": config.related_default_k}),
                ],
                "responses": {"200": _json(_ref("Related"), "the related articles"), "400": bad,
                              "404": _error("no article with that id"), "default": _error("any other failure")},
            }},
            "/api/summarize": {"post": {
                "operationId": "summarize",
                "summary": "extractive summary of any text",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref("SummarizeRequest")}}},
                "responses": {"200": _json(_ref("Summary"), "the summary and the query's terms in it"),
                              "400": bad,
                              "413": _error(f"the body is larger than {max_body_bytes} bytes"),
                              "415": _error("the body is not sent as application/json"),
                              "default": _error("any other failure")},
            }},
            "/api/ingest": {"post": {
                "operationId": "ingest",
                "summary": "add or replace articles; they are searchable when this answers",
                "description": "Needs the admin token (server.admin_token or $JIANSUO_ADMIN_TOKEN) as "
                               "`Authorization: Bearer TOKEN`; without one configured, writing is off (403).",
                "security": [{"adminToken": []}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("IngestRequest")},
                    "multipart/form-data": {"schema": _object(
                        {"file": {"type": "string", "contentMediaType": "application/octet-stream",
                                  "description": "a page (.txt) or article (.jsonl, .csv, .txt) file; a plain "
                                                 f"file name; at most {config.ingest_max_file_bytes} bytes"}})},
                }},
                "responses": {"200": _json(_ref("IngestReport"), "what was added, replaced and skipped"),
                              "400": bad, "401": _error("no `Authorization` header"),
                              "403": _error("the token is wrong or empty, or writing is turned off"),
                              "413": _error(f"the body is larger than {config.server_max_upload_bytes} bytes "
                                            "(server.max_upload_bytes)"),
                              "415": _error("the body is neither application/json nor multipart/form-data"),
                              "default": _error("any other failure")},
            }},
            "/api/stats": {"get": {
                "operationId": "stats",
                "summary": "article count, index size, last ingest, and the archive's counts by month and section",
                "responses": {"200": _json(_ref("Stats"), "the archive"), "503": unusable,
                              "default": _error("any other failure")},
            }},
            "/api/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "this document",
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/healthz": {"get": {
                "operationId": "health",
                "summary": "whether the service can search",
                "responses": {"200": _json(_ref("Health"), "ready"), "503": unusable,
                              "default": _error("any other failure")},
            }},
        },
        "components": {"schemas": _schemas(), "securitySchemes": {"adminToken": {
            "type": "http", "scheme": "bearer",
            "description": "the value of server.admin_token or $JIANSUO_ADMIN_TOKEN"}}},
    }, config, script)


def _with_entities(document: dict, config: Config, script: dict) -> dict:
    """People, places and organisations (`service.mentions`): the `entities` parameter and facets of
    /api/search, /api/entities/{kind}/{name}, and the coverage in /api/stats."""
    schemas, paths = document["components"]["schemas"], document["paths"]
    kinds = ["person", "place", "org"]
    names = {"type": "array", "items": _ref("Count"),
             "description": "the names most often named by the matches (as most often written), with the matches "
                            "naming each, most first; present when asked for with `entities`"}
    schemas["Facets"]["properties"].update({kind: names for kind in kinds})
    paths["/api/search"]["get"]["parameters"].append(_query_parameter(
        "entities", "person, place and/or org, comma-separated (1 or all: the three): count the names of those "
                    "kinds in all the matches, as facets.person, facets.place, facets.org; left out, they are not "
                    "counted (and cost nothing)", {"type": "string"}))
    named = {"type": "array", "items": _object({"name": {"type": "string"},
                                                "count": {"type": "integer", "minimum": 1}})}
    schemas["EntityCoverage"] = _object({
        "articles": {"type": "integer", "minimum": 0},
        "covered": {"type": "integer", "minimum": 0,
                    "description": "articles whose present text the recogniser has read for names"},
        "pending": {"type": "integer", "minimum": 0, "description": "articles not read yet (`jiansuo entities "
                                                                    "--update`, or serve's background pass)"},
        "mentions": {"type": "integer", "minimum": 0, "description": "(article, type, name) rows kept"},
        "version": {"type": "string", "description": "the recogniser that read them"},
    })
    schemas["Stats"]["properties"]["entities"] = _ref("EntityCoverage")
    schemas["Entity"] = _object({
        "kind": {"type": "string", "enum": kinds}, "type": {"type": "string", "enum": ["PER", "LOC", "ORG"]},
        "name": {"type": "string", "description": "as the articles most often write it"},
        "key": {"type": "string", "description": "folded (Simplified, width, case): what `person:` and the URL match"},
        "total": {"type": "integer", "minimum": 1, "description": "articles naming it"},
        "months": {"type": "array", "items": _object({"month": {"type": "string"},
                                                      "count": {"type": "integer", "minimum": 1}}),
                   "description": "articles naming it per month (YYYY-MM), in date order"},
        "undated": {"type": "integer", "minimum": 0, "description": "articles without a month"},
        "named_with": _object({kind: named for kind in kinds}, description="the names most often named in the "
                              "same articles, by kind, most first (at most 10 each)"),
        "named_with_over": {"type": "integer", "minimum": 0,
                            "description": "the articles co-occurrences were counted over: its newest, at most 5000"},
        "sort": {"type": "string", "enum": ["newest", "oldest"]},
        "offset": {"type": "integer", "minimum": 0}, "k": {"type": "integer", "minimum": 1},
        "articles": {"type": "array", "items": _object({
            "id": {"type": "string"}, "title": {"type": "string"}, "date": _nullable("string"),
            "section": _nullable("string"), "summary": {"type": "string"}},
            {"printings": {"type": "integer", "minimum": 0,
                           "description": "the story's other printings naming it too (listed on its page)"}})},
    }, {"unread": {"type": "integer", "minimum": 0,
                   "description": "stored articles not read for names yet: the counts may still grow"},
        "stories": {"type": "integer", "minimum": 0,
                    "description": "the stories of the articles naming it: each listed once in `articles`"}})
    paths["/api/entities/{kind}/{name}"] = {"get": {
        "operationId": "entity",
        "summary": "one person, place or organisation: articles naming it per month, the names named with it, and "
                   "its articles by date",
        "parameters": [
            {"name": "kind", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "person, place or org (also PER, LOC, ORG, or 人物, 地点, 机构; any case)"},
            {"name": "name", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "the name, in either script"},
            _query_parameter("sort", "newest (default) or oldest", {"type": "string", "enum": ["newest", "oldest"]}),
            _query_parameter("offset", "articles to skip", {"type": "integer", "minimum": 0,
                                                            "maximum": config.search_max_offset, "default": 0}),
            _query_parameter("k", "articles to return", {"type": "integer", "minimum": 1,
                                                         "maximum": config.search_max_k,
                                                         "default": config.search_default_k}),
            script,
        ],
        "responses": {"200": _json(_ref("Entity"), "the entity"),
                      "400": _error("the kind, sort, k or offset cannot be used; `message` names it"),
                      "404": _error("no article names it (the message says how many articles are not read yet)"),
                      "default": _error("any other failure")},
    }}
    return document

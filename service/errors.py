"""One error tree for the whole service.

Every error carries a stable machine-readable ``code``, a message meant for the
person who caused it, the HTTP status the web layer answers with, and the exit
code the CLI ends with. The core raises these; only the adapters translate them.
"""


import re

# Half of a UTF-16 surrogate pair on its own: no UTF-8 answer or terminal can carry one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JiansuoError(Exception):
    code = "error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None):
        # A message quoting bad input (`got "\ud800"`) shows a lone surrogate as its escape, so that the answer
        # or the line printed can be encoded at all.
        message = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", message)
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class QueryError(JiansuoError):
    """The query or a search parameter cannot be used."""

    code = "bad_query"
    http_status = 400
    exit_code = 2


class NotFound(JiansuoError):
    code = "not_found"
    http_status = 404
    exit_code = 3


class Replaced(NotFound):
    """An article id no longer stored because a corrected reading of its page replaced the article: `new_id`
    names the one that corrects it (the web answers a GET with a redirect there)."""

    code = "article_replaced"
    http_status = 301

    def __init__(self, message: str, new_id: str):
        super().__init__(message)
        self.new_id = new_id

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "new_id": self.new_id}}


class InputError(JiansuoError):
    """A file or record given for ingestion cannot be read."""

    code = "bad_input"
    http_status = 400
    exit_code = 4


class ConfigError(JiansuoError):
    code = "bad_config"
    http_status = 500
    exit_code = 5


class IndexUnusable(JiansuoError):
    """The index on disk is missing, damaged or was built by an incompatible analyzer."""

    code = "index_unusable"
    http_status = 503
    exit_code = 6


class StoreUnusable(JiansuoError):
    """The article store cannot be opened or read: damaged, not a SQLite file, or on a disk that refuses it."""

    code = "store_unusable"
    http_status = 503
    exit_code = 6


class Unauthorized(JiansuoError):
    """A request that changes the archive came without credentials."""

    code = "unauthorized"
    http_status = 401
    exit_code = 7


class Forbidden(JiansuoError):
    """A request that changes the archive came with credentials that do not unlock it, or writes are off."""

    code = "forbidden"
    http_status = 403
    exit_code = 7


class StoreDamaged(JiansuoError):
    """What the article store holds failed its checksum or could not be read: damage on disk, not a bug."""

    code = "store_damaged"
    http_status = 503
    exit_code = 6


class WriteBusy(JiansuoError):
    """Another process holds the archive's write lock for longer than this one may wait; nothing was changed."""

    code = "write_busy"
    http_status = 503
    exit_code = 8


class NotIndexed(JiansuoError):
    """The article store took the change but the index could not follow (a full disk, an I/O error): the
    articles are stored, the previous index stays live, and `jiansuo reindex` catches it up."""

    code = "not_indexed"
    http_status = 500
    exit_code = 9


class NotStored(JiansuoError):
    """The article store could not take the change (a full disk, an I/O error); the archive is as it was."""

    code = "not_stored"
    http_status = 500
    exit_code = 10


def disk_full(exc: BaseException) -> bool:
    """Whether an OSError or SQLite error says the disk (or the user's quota) is full."""
    import errno

    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return "full" in str(exc).lower()  # SQLITE_FULL: "database or disk is full"

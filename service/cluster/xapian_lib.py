"""The Xapian bindings, or a clear error naming what to install."""

from __future__ import annotations

from ..errors import ConfigError

try:
    import xapian  # type: ignore[import-not-found]
except ImportError:  # the cluster extra is optional; only cluster commands and settings need it
    xapian = None


def require():
    if xapian is None:
        raise ConfigError("the cluster backend needs the Xapian bindings: pip install 'jiansuo[cluster]' "
                          "(xapian-bindings-binary)", code="cluster_unavailable")
    return xapian

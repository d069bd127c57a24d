"""matcher: rank UK life-science clusters and partner organisations against a need, with evidence."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Matcher", "Match", "Evidence", "Filters", "Ranking", "MatcherError", "__version__"]


def __getattr__(name: str):
    # Lazy: `import matcher` stays cheap; the heavy parts load when first used.
    if name == "Matcher":
        from .matcher import Matcher

        return Matcher
    if name in ("Match", "Evidence", "Ranking"):
        from . import results

        return getattr(results, name)
    if name == "Filters":
        from .filters import Filters

        return Filters
    if name == "MatcherError":
        from .errors import MatcherError

        return MatcherError
    raise AttributeError(name)

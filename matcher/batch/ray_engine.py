"""Scoring chunks on a Ray cluster with Ray Data: an actor pool, each actor holding the index
and encoder once, map_batches over each chunk of rows.

Reading, rejects, ids, checkpoints and writing stay in the driver (runner.py), so the output
is the same as the local engine's. The index directory must be readable at the same path on
every worker (a shared filesystem, or the same path copied to each node).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import MatcherError
from ..filters import Filters
from ..results import Evidence, Match, Ranking


class RayMissingError(MatcherError):
    exit_code = 2


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise RayMissingError(
            "--engine ray needs Ray Data: pip install 'matcher[ray]' (or pip install 'ray[data]')"
        ) from exc
    return ray


class _Scorer:
    """A Ray actor: loads the matcher once, then scores batches of texts."""

    def __init__(self, index: str, k: int, filters: dict[str, Any]):
        from ..matcher import Matcher

        self.matcher = Matcher.load(index)
        self.k = k
        self.filters = Filters(**{key: tuple(v) if isinstance(v, list) else v
                                  for key, v in filters.items()})

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import json

        rankings = self.matcher.match_many(list(batch["text"]), k=self.k, filters=self.filters)
        return {"position": batch["position"],
                "ranking": [json.dumps(r.to_dict()) for r in rankings]}


def ranking_from_dict(data: dict[str, Any]) -> Ranking:
    matches = [
        Match(**{**m, "regions": tuple(m["regions"]), "member_of": tuple(m["member_of"]),
                 "evidence": tuple(Evidence(**{**e, "shared_terms": tuple(e["shared_terms"])})
                                   for e in m["evidence"])})
        for m in data["matches"]
    ]
    return Ranking(data["query"], matches, data["parts"], data["aspects"], data["warnings"],
                   no_good_match=data["verdict"] == "no good match")


class RayScorer:
    """Callable like the local scorer: texts in, rankings out (in order)."""

    def __init__(self, index: Path, k: int, filters: Filters, address: str | None,
                 actors: int | None = None):
        ray = _ray()
        if not ray.is_initialized():
            ray.init(address=address, ignore_reinit_error=True, log_to_driver=False,
                     include_dashboard=False)
        self.ray = ray
        self.index = str(Path(index).resolve())
        self.k = k
        self.filters = {key: list(v) if isinstance(v, tuple) else v
                        for key, v in filters.__dict__.items()}
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.actors = actors or max(1, cpus)

    def __call__(self, texts: Sequence[str]) -> list[Ranking]:
        import json

        dataset = self.ray.data.from_items(
            [{"position": i, "text": t} for i, t in enumerate(texts)])
        scored = dataset.map_batches(
            _Scorer, fn_constructor_kwargs={"index": self.index, "k": self.k,
                                            "filters": self.filters},
            batch_size=64, concurrency=self.actors, num_cpus=1,
        ).take_all()
        scored.sort(key=lambda row: row["position"])
        return [ranking_from_dict(json.loads(row["ranking"])) for row in scored]

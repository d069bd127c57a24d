"""The gold-standard reviewer-paper expertise benchmark (Stelmakh et al., TMLR 2025).

Reads the dataset from where it lies (never copied into the repository) and computes its loss
exactly as its SOURCE.md defines it: for each participant and each pair of their judged papers
with different expertise, weight w = |e_p - e_q|; a wrong predicted order costs w, a tie w/2;
loss = total cost / total weight over all participants (0 perfect, 0.5 constant, 1 reversed).
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

VERSIONS = tuple(range(1, 11))


def default_dir() -> Path:
    """``$GOLDSTANDARD_DIR``, else ``../shared/data/goldstandard-reviewer-paper`` beside the repo."""
    override = os.environ.get("GOLDSTANDARD_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "goldstandard-reviewer-paper"


@dataclass(frozen=True)
class Judgement:
    participant: str
    paper: str
    expertise: float


def load_judgements(root: Path) -> list[Judgement]:
    """evaluations.csv (tab-separated): ParticipantID, Paper1..10, Expertise1..10."""
    out = []
    with (root / "evaluations.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for i in range(1, 11):
                paper, value = row.get(f"Paper{i}", ""), row.get(f"Expertise{i}", "")
                if paper and value:
                    out.append(Judgement(row["ParticipantID"], paper, float(value)))
    return out


def paper_text(record: Mapping) -> str:
    content = record.get("content", record)
    title = (content.get("title") or "").strip()
    abstract = (content.get("abstract") or "").strip()
    return f"{title}. {abstract}".strip(". ") if abstract else title


def load_profiles(root: Path, version: int) -> dict[str, list[str]]:
    """participant id -> texts (title + abstract) of their profile papers in this version."""
    folder = root / "profiles" / f"d_20_{version}" / "archives"
    profiles = {}
    for path in sorted(folder.glob("~*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            texts = [paper_text(json.loads(line)) for line in handle if line.strip()]
        profiles[path.stem.lstrip("~")] = [t for t in texts if t]
    return profiles


def load_submissions(root: Path, version: int = 1) -> dict[str, str]:
    """paper id -> title + abstract of every judged paper."""
    data = json.loads((root / "profiles" / f"d_20_{version}" / "submissions.json").read_text(
        encoding="utf-8"))
    return {paper_id: paper_text(record) for paper_id, record in data.items()}


def load_baseline_scores(root: Path) -> dict[str, dict[int, dict[tuple[str, str], float]]]:
    """algorithm -> version -> (participant, paper) -> score, from baseline_scores_d20_ta.csv."""
    out: dict[str, dict[int, dict[tuple[str, str], float]]] = defaultdict(lambda: defaultdict(dict))
    with (root / "baseline_scores_d20_ta.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out[row["algorithm"]][int(row["profile_version"])][
                (row["participant_id"], row["paper_id"])] = float(row["score"])
    return out


def _pairs(judgements: list[Judgement]) -> dict[str, list[tuple[Judgement, Judgement]]]:
    by_participant: dict[str, list[Judgement]] = defaultdict(list)
    for j in judgements:
        by_participant[j.participant].append(j)
    return {p: [(a, b) for a, b in combinations(js, 2) if a.expertise != b.expertise]
            for p, js in by_participant.items()}


def loss_parts(judgements: list[Judgement], scores: Mapping[tuple[str, str], float]
               ) -> dict[str, tuple[float, float]]:
    """participant -> (cost, weight); a missing score counts as the lowest possible."""
    parts = {}
    for participant, pairs in _pairs(judgements).items():
        cost = weight = 0.0
        for a, b in pairs:
            w = abs(a.expertise - b.expertise)
            sa = scores.get((participant, a.paper), -np.inf)
            sb = scores.get((participant, b.paper), -np.inf)
            if sa == sb:
                cost += w / 2
            elif (sa > sb) != (a.expertise > b.expertise):
                cost += w
            weight += w
        parts[participant] = (cost, weight)
    return parts


def loss(judgements: list[Judgement], scores: Mapping[tuple[str, str], float]) -> float:
    parts = loss_parts(judgements, scores).values()
    return sum(c for c, _ in parts) / sum(w for _, w in parts)


def pair_accuracy(judgements: list[Judgement], scores: Mapping[tuple[str, str], float]
                  ) -> dict[str, float]:
    """Easy pairs (one >= 4, other <= 2) and hard pairs (both >= 4, unequal) ordered right;
    ties count as wrong."""
    right = {"easy": 0, "hard": 0}
    total = {"easy": 0, "hard": 0}
    for participant, pairs in _pairs(judgements).items():
        for a, b in pairs:
            hi, lo = (a, b) if a.expertise > b.expertise else (b, a)
            if hi.expertise >= 4 and lo.expertise <= 2:
                kind = "easy"
            elif lo.expertise >= 4:
                kind = "hard"
            else:
                continue
            total[kind] += 1
            if scores.get((participant, hi.paper), -np.inf) > scores.get((participant, lo.paper),
                                                                         -np.inf):
                right[kind] += 1
    return {k: right[k] / total[k] if total[k] else float("nan") for k in right}


def bootstrap_interval(judgements: list[Judgement],
                       scores_by_version: Mapping[int, Mapping[tuple[str, str], float]],
                       resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap over participants of the loss averaged across versions."""
    per_version = {v: loss_parts(judgements, s) for v, s in scores_by_version.items()}
    participants = sorted(next(iter(per_version.values())))
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        sample = rng.choice(participants, size=len(participants), replace=True)
        losses = []
        for parts in per_version.values():
            cost = sum(parts[p][0] for p in sample)
            weight = sum(parts[p][1] for p in sample)
            losses.append(cost / weight if weight else 0.0)
        values.append(float(np.mean(losses)))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)

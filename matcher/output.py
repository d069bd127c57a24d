"""Rendering rankings: a readable table, JSON, JSON lines, CSV and Markdown."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap

from .results import Evidence, Match, Ranking

FORMATS = ("table", "json", "jsonl", "csv", "markdown")
KIND_LABEL = {"cluster": "cluster", "organisation": "org"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> object:
    """Stop a spreadsheet from executing a cell: prefix formula-like text with a quote."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


# Evidence from these fields is labelled, so a reader knows it is an offer, not a track record.
FIELD_LABEL = {"offer": "offers: ", "remit": "remit: "}


def evidence_line(evidence: Evidence) -> str:
    """A passage as shown to a person: its field when that matters, and the year of a dated fact."""
    year = f" (as of {evidence.as_of})" if evidence.as_of else ""
    return f"{FIELD_LABEL.get(evidence.field, '')}{evidence.text}{year}"


def _region(match: Match) -> str:
    if len(match.regions) > 2:
        return f"{match.regions[0]} +{len(match.regions) - 1}"
    return ", ".join(match.regions)


def render_table(ranking: Ranking, explain: bool = False, width: int | None = None) -> str:
    width = max(60, min(width or shutil.get_terminal_size((80, 24)).columns, 120))
    name_width = width - 46
    lines = []
    brief = textwrap.shorten(ranking.query, width=width - 7, placeholder="...")
    lines.append(f"Brief: {brief}")
    read_as = ranking.reading.describe() if ranking.reading else ""
    if read_as:
        lines.append(textwrap.shorten(f"Read as: {read_as}", width=width, placeholder="..."))
    for warning in ranking.warnings:
        lines.append(f"Note: {warning}")
    if not ranking.matches:
        lines.append("No matches.")
        return "\n".join(lines)
    if ranking.no_good_match:
        why = f" ({'; '.join(ranking.verdict_reasons)})" if ranking.verdict_reasons else ""
        lines.extend(textwrap.wrap(
            f"No good match{why}: nothing fits this brief well; the closest entities follow.",
            width=width))
    elif ranking.regions and (ranking.aspects or (ranking.reading and ranking.reading.places)):
        lines.extend(_region_lines(ranking, width))
    if explain and ranking.aspects:
        lines.append(f"Read as {len(ranking.aspects)} needs:")
        for i, aspect in enumerate(ranking.aspects, 1):
            lines.append(textwrap.shorten(f"  {i}. {aspect}", width=width, placeholder="..."))
    aspect_no = {a: i for i, a in enumerate(ranking.aspects, 1)}
    lines.append(f"{'#':>2}  {'fit':>3} {'band':<8} {'name':<{name_width}} {'kind':<7} {'region':<20}")
    for m in ranking.matches:
        name = textwrap.shorten(m.name, width=name_width, placeholder="...")
        region = textwrap.shorten(_region(m), width=20, placeholder="...")
        lines.append(
            f"{m.rank:>2}  {m.strength:>3.0f} {m.band:<8} {name:<{name_width}} "
            f"{KIND_LABEL.get(m.kind, m.kind):<7} {region:<20}"
        )
        if explain and m.features:
            learned = m.features.get("learned", 0.0)
            parts = ", ".join(f"{k} {v:.2f}" for k, v in m.features.items() if k != "learned")
            lines.extend(textwrap.wrap(f"re-ranked: learned {learned:+.2f} from {parts}",
                                       width=width, initial_indent="    ",
                                       subsequent_indent="      "))
        for e in m.evidence if explain else m.evidence[:1]:
            prefix = f"via {e.via}: " if e.via else ""
            detail = ""
            if explain:
                answers = f"need {aspect_no[e.answers]}; " if e.answers in aspect_no else ""
                terms = f"; shared: {', '.join(e.shared_terms)}" if e.shared_terms else ""
                detail = (f" [{answers}{e.field}; dense {e.dense:.2f}, lexical {e.lexical:.2f}"
                          f"{terms}]")
            lines.extend(textwrap.wrap(f"{prefix}{evidence_line(e)}{detail}", width=width,
                                       initial_indent="    - ", subsequent_indent="      "))
    return "\n".join(lines)


REGIONS_SHOWN = 3


def _region_lines(ranking: Ranking, width: int) -> list[str]:
    """The region answer that leads a brief's table: regions, their front doors, partners."""
    lines = ["Regions that cover this brief:"]
    several = len(ranking.aspects) > 1
    for i, answer in enumerate(ranking.regions[:REGIONS_SHOWN], 1):
        doors = "; ".join(answer.name(e) for e in answer.front_doors) or "no cluster listed"
        share = f" ({answer.coverage:.0%} of needs)" if several else ""
        lines.append("  " + textwrap.shorten(f"{i}. {answer.region}{share}: front door {doors}",
                                             width=width - 2, placeholder="..."))
        partners = list(dict.fromkeys(answer.name(e) for _need, e in answer.partners))
        if partners:
            lines.append("     " + textwrap.shorten(f"partners: {'; '.join(partners)}",
                                                    width=width - 5, placeholder="..."))
    lines.append("Matches:")
    return lines


def render_markdown(ranking: Ranking) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| # | name | kind | region | fit | band | evidence |",
        "|---:|---|---|---|---:|---|---|",
    ]
    for m in ranking.matches:
        evidence = evidence_line(m.evidence[0]) if m.evidence else ""
        lines.append(
            f"| {m.rank} | {cell(m.name)} | {m.kind} | {cell(', '.join(m.regions))} | "
            f"{m.strength:.0f} | {m.band} | {cell(evidence)} |"
        )
    return "\n".join(lines)


CSV_COLUMNS = (
    "rank", "entity_id", "name", "kind", "org_type", "regions", "strength", "band", "score",
    "evidence", "evidence_score",
)


def csv_row(m: Match) -> list[object]:
    top = m.evidence[0] if m.evidence else None
    return [
        neutralise(v)
        for v in (
            m.rank, m.entity_id, m.name, m.kind, m.org_type, "; ".join(m.regions),
            m.strength, m.band, round(m.score, 4), evidence_line(top) if top else "",
            round(top.score, 4) if top else "",
        )
    ]


def render_csv(ranking: Ranking) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for m in ranking.matches:
        writer.writerow(csv_row(m))
    return buffer.getvalue().rstrip("\n")


def render(ranking: Ranking, fmt: str, explain: bool = False) -> str:
    if fmt == "table":
        return render_table(ranking, explain=explain)
    if fmt == "json":
        return json.dumps(ranking.to_dict(), indent=2, ensure_ascii=False)
    if fmt == "jsonl":
        return "\n".join(json.dumps(m.to_dict(), ensure_ascii=False) for m in ranking.matches)
    if fmt == "csv":
        return render_csv(ranking)
    if fmt == "markdown":
        return render_markdown(ranking)
    raise ValueError(f"unknown format {fmt}")

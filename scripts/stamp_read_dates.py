"""Give every undated corpus source the date it was read, editing the YAML in place.

    python scripts/stamp_read_dates.py --read 2026-12-02 \
        [--baseline be1755b --baseline-read 2026-11-27] [corpus/entities/*.yaml]

A source with neither ``date`` (published) nor ``read`` gets ``read: DATE``; one that was
already cited in the ``--baseline`` commit's corpus gets ``--baseline-read`` instead (the day
that corpus was researched). Plain ``- URL`` items become ``- url: URL`` mappings. The edit
is textual, so comments, folding and order are kept; the loader re-checks the result.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

ITEM = re.compile(r"^(?P<indent> +)- (?:url: )?(?P<url>https?://\S+)\s*$")


def baseline_urls(rev: str) -> set[str]:
    """Every URL under corpus/entities in a git revision."""
    names = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "corpus/entities"],
                           check=True, capture_output=True, text=True).stdout.split()
    urls: set[str] = set()
    for name in names:
        text = subprocess.run(["git", "show", f"{rev}:{name}"], check=True, capture_output=True,
                              text=True).stdout
        urls.update(re.findall(r"https?://[^\s,\]]+", text))
    return urls


def stamp(text: str, read: str, known: set[str], known_read: str) -> tuple[str, int]:
    lines = text.split("\n")
    out: list[str] = []
    stamped = 0
    in_sources = False
    sources_indent = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if stripped.startswith("sources:") and stripped.rstrip() == "sources:":
            in_sources, sources_indent = True, indent
            out.append(line)
            i += 1
            continue
        if in_sources and stripped and indent <= sources_indent:
            in_sources = False
        match = ITEM.match(line) if in_sources else None
        if not match:
            out.append(line)
            i += 1
            continue
        item_indent = len(match["indent"])
        body = [lines[j] for j in range(i + 1, len(lines))]
        extra = []
        for following in body:  # the mapping's other keys, indented past the dash
            s = following.lstrip(" ")
            if not s or len(following) - len(s) <= item_indent:
                break
            extra.append(following)
        keys = {e.strip().split(":", 1)[0] for e in extra}
        out.append(f"{match['indent']}- url: {match['url']}")
        out.extend(extra)
        if not keys & {"date", "read"}:
            when = known_read if match["url"] in known else read
            out.append(f"{' ' * (item_indent + 2)}read: {when}")
            stamped += 1
        i += 1 + len(extra)
    return "\n".join(out), stamped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--read", required=True, help="date read for new sources, YYYY-MM-DD")
    parser.add_argument("--baseline", help="git revision whose cited URLs were read earlier")
    parser.add_argument("--baseline-read", help="the date those were read, YYYY-MM-DD")
    args = parser.parse_args()
    files = args.files or sorted(Path("corpus/entities").glob("*.yaml"))
    known = baseline_urls(args.baseline) if args.baseline else set()
    total = 0
    for path in files:
        text, stamped = stamp(path.read_text(encoding="utf-8"), args.read, known,
                              args.baseline_read or args.read)
        if stamped:
            path.write_text(text, encoding="utf-8")
        total += stamped
        print(f"{path}: {stamped} source(s) stamped")
    print(f"{total} source(s) stamped")


if __name__ == "__main__":
    main()

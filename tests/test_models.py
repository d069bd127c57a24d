"""The encoder registry: split-zip models are joined, unzipped once and checked by sha256."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from matcher import models
from matcher.errors import ModelError


class FakeFile:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.name


class FakeDist:
    def __init__(self, path: Path):
        self.files = [FakeFile(path)]

    def locate_file(self, file):
        return file.path


def split_zip(tmp_path: Path, weights: bytes) -> dict[str, FakeDist]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("m/model.safetensors", weights)
        archive.writestr("m/config.json", "{}")
    data = buffer.getvalue()
    half = len(data) // 2
    dists = {}
    for i, chunk in enumerate((data[:half], data[half:]), 1):
        part = tmp_path / f"part{i}" / f"m.zip.00{i}"
        part.parent.mkdir()
        part.write_bytes(chunk)
        dists[f"dist-{i}"] = FakeDist(part)
    return dists


@pytest.fixture
def fake_parts(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path / "cache"))

    def install(weights: bytes):
        dists = split_zip(tmp_path, weights)
        from importlib import metadata

        def distribution(name):
            if name not in dists:
                raise metadata.PackageNotFoundError(name)
            return dists[name]

        monkeypatch.setattr(metadata, "distribution", distribution)
        return list(dists)

    return install


def test_split_zip_is_joined_unzipped_and_verified(fake_parts, tmp_path):
    names = fake_parts(b"weights!")
    entry = {"weights_sha256": hashlib.sha256(b"weights!").hexdigest(), "install": "pip ..."}
    folder = models._materialise_split_zip("m", {"distributions": names, "member": "m"}, entry)
    assert (folder / "model.safetensors").read_bytes() == b"weights!"
    assert folder.is_relative_to(tmp_path / "cache")
    # a second call reuses the unzipped folder
    assert models._materialise_split_zip("m", {"distributions": names, "member": "m"},
                                         entry) == folder


def test_split_zip_with_wrong_weights_is_refused(fake_parts):
    names = fake_parts(b"tampered")
    entry = {"weights_sha256": hashlib.sha256(b"weights!").hexdigest()}
    with pytest.raises(ModelError, match="joined weights have sha256"):
        models._materialise_split_zip("m", {"distributions": names, "member": "m"}, entry)


def test_missing_part_names_the_install_command(fake_parts):
    fake_parts(b"x")
    with pytest.raises(ModelError, match="make mpnet"):
        models._materialise_split_zip("m", {"distributions": ["dist-1", "not-installed"]},
                                      {"install": "make mpnet"})


def test_registry_lists_both_encoders_with_hashes():
    registry = models.load_registry()
    assert registry["default"] == "all-MiniLM-L6-v2"
    for name in ("all-MiniLM-L6-v2", "all-mpnet-base-v2"):
        entry = registry["models"][name]
        assert len(entry["weights_sha256"]) == 64 and entry["dimension"] and entry["licence"]

"""The Ray engine gives the local engine's output, on a local Ray (num_cpus=2)."""

import csv

import pytest
from click.testing import CliRunner

from matcher.batch import runner
from matcher.cli import cli
from matcher.encoders import native_bf16

pytestmark = pytest.mark.slow
ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'matcher[ray]'")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def run_both(tmp_path, mini_index, precision):
    source = tmp_path / "in.csv"
    lines = ["id,text"] + [f"r{i},{t} {i % 9}" if t else f"r{i}," for i, t in enumerate(
        ["viral vector manufacturing", "liver organoids", "", "echocardiography study",
         "wound dressings"] * 8)]  # texts repeat across chunks: deduplicated in flight
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.csv"
        result = CliRunner().invoke(cli, ["batch", str(source), "--index", str(mini_index),
                                          "--id-column", "id", "-o", str(out), "-k", "3",
                                          "--engine", engine, "--precision", precision,
                                          "--quiet"])
        assert result.exit_code == 0, result.output
        outputs[engine] = (out.read_text(), (tmp_path / f"{engine}.rejects.csv").read_text())
    return outputs


def test_ray_engine_output_equals_local(tmp_path, mini_index, local_ray, monkeypatch):
    monkeypatch.setattr(runner, "CHUNK", 6)  # 7 chunks: several in flight on 2 actors
    outputs = run_both(tmp_path, mini_index, "fp32")
    assert outputs["ray"] == outputs["local"]
    assert outputs["local"][1].count("empty text") == 8
    assert outputs["local"][0].count("\n") == 1 + 32 * 3


@pytest.mark.skipif(not native_bf16(), reason="bf16 runs only where the CPU has it")
def test_ray_engine_in_bf16_agrees_with_local(tmp_path, mini_index, local_ray, monkeypatch):
    """bf16 results depend slightly on thread count (a Ray actor has one thread), so the
    engines agree on rows and rankings up to near-ties, with scores within 0.005."""
    monkeypatch.setattr(runner, "CHUNK", 6)
    outputs = run_both(tmp_path, mini_index, "bf16")
    assert outputs["ray"][1] == outputs["local"][1]
    tables = {engine: list(csv.DictReader(text.splitlines()))
              for engine, (text, _) in outputs.items()}
    assert len(tables["ray"]) == len(tables["local"]) == 32 * 3
    scores = {engine: {(r["enquiry_id"], r["entity_id"]): float(r["score"]) for r in rows}
              for engine, rows in tables.items()}
    shared = scores["ray"].keys() & scores["local"].keys()
    assert len(shared) >= 0.9 * len(scores["local"])
    assert max(abs(scores["ray"][key] - scores["local"][key]) for key in shared) <= 0.005
    firsts = {engine: [r["entity_id"] for r in rows if r["rank"] == "1"]
              for engine, rows in tables.items()}
    agree = sum(a == b for a, b in zip(firsts["ray"], firsts["local"], strict=True))
    assert agree >= 0.9 * len(firsts["local"])

"""The Ray engine gives the local engine's output, on a local Ray (num_cpus=2)."""

import pytest
from click.testing import CliRunner

from matcher.cli import cli

pytestmark = pytest.mark.slow
ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'matcher[ray]'")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_engine_output_equals_local(tmp_path, mini_index, local_ray):
    source = tmp_path / "in.csv"
    lines = ["id,text"] + [f"r{i},{t} {i}" if t else f"r{i}," for i, t in enumerate(
        ["viral vector manufacturing", "liver organoids", "", "echocardiography study",
         "wound dressings"] * 8)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.csv"
        result = CliRunner().invoke(cli, ["batch", str(source), "--index", str(mini_index),
                                          "--id-column", "id", "-o", str(out), "-k", "3",
                                          "--engine", engine, "--quiet"])
        assert result.exit_code == 0, result.output
        outputs[engine] = (out.read_text(), (tmp_path / f"{engine}.rejects.csv").read_text())
    assert outputs["ray"] == outputs["local"]
    assert outputs["local"][1].count("empty text") == 8

"""A batch of deals (abs_tool.report.batch, `abs-tool batch`): each deal's results are those
of its own `run`, however many deals run at once; every deal's cost is checked before the
first starts; two deals that would write one file are refused."""

from __future__ import annotations

import json

import pytest

from abs_tool import limits
from abs_tool.cli import main
from abs_tool.errors import FieldError

PATHS = "5000"


def results(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("runtime_seconds")
    return json.dumps(data, sort_keys=True)  # NaN as text: equal where the bits are


def test_each_deal_of_a_batch_gets_its_own_run_s_results(tmp_path):
    out = tmp_path / "runs"
    assert main(["batch", "factoring", "consumer", "--paths", PATHS, "--seed", "3",
                 "--workers", "2", "--quiet", "--out-dir", str(out)]) == 0
    for name in ("factoring", "consumer"):
        alone = tmp_path / f"{name}.json"
        assert main(["run", name, "--paths", PATHS, "--seed", "3", "--quiet",
                     "--out-json", str(alone)]) == 0
        assert results(out / f"{name}.json") == results(alone)


def test_a_batch_over_the_time_budget_is_refused_before_it_starts(tmp_path, monkeypatch,
                                                                 capsys):
    monkeypatch.setenv(limits.SECONDS_ENV, "5")
    out = tmp_path / "runs"
    assert main(["batch", "consumer", "--paths", "2000000", "--out-dir", str(out)]) == 2
    assert "deal 1 (" in capsys.readouterr().err
    assert not out.exists()


def test_two_deals_writing_one_file_are_refused(tmp_path, capsys):
    assert main(["batch", "consumer", "consumer", "--out-dir", str(tmp_path)]) == 2
    assert "consumer.json" in capsys.readouterr().err


def test_batch_settings_are_checked():
    from abs_tool.report.batch import BatchSettings

    with pytest.raises(FieldError, match="paths"):
        BatchSettings(paths=0)
    with pytest.raises(FieldError, match="seed"):
        BatchSettings(seed=-1)

"""The Dask executor (abs_tool.engine.executor): the same seeded work units on a cluster give
the numbers of the local thread pool to the bit, for a Monte Carlo run, a sizing and a
sensitivity grid; a lost worker changes nothing; a scheduler out of reach, workers of
another version and a missing Dask extra are refused with a message saying what to do.

A LocalCluster of two worker processes stands in for a cluster of machines (the same
scheduler protocol, serialisation and failure handling). Dask is an optional extra:
without it these tests are skipped, except under CI, where scripts/test installs it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

if os.environ.get("CI"):
    import distributed  # noqa: F401  (CI installs the extra: a missing one fails)
else:
    pytest.importorskip("distributed")

from builders import homogeneous_pool, tranched_deal

from abs_tool import (
    CancelledError,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_monte_carlo,
    scenario_grid,
    sensitivity_grid,
    structure_deal,
)
from abs_tool.analysis.deal_analysis import analyse
from abs_tool.analysis.stress import stress_table
from abs_tool.cli import main
from abs_tool.engine.executor import (
    DaskExecutor,
    ExecutorError,
    LocalThreads,
    open_executor,
    parse_spec,
)
from abs_tool.errors import LimitError
from abs_tool.report.batch import BatchSettings, run_batch
from abs_tool.report.tables import analysis_dict

BLOCK = 4096


def digest(value: object) -> str:
    """SHA-256 of every number of a result (dataclasses, arrays and floats by their bytes),
    leaving out wall-clock times: equal digests mean bit-identical results."""
    h = hashlib.sha256()

    def feed(v: object) -> None:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            for f in dataclasses.fields(v):
                if not f.name.endswith("seconds"):
                    h.update(f.name.encode())
                    feed(getattr(v, f.name))
        elif isinstance(v, np.ndarray):
            h.update(str(v.dtype).encode() + str(v.shape).encode())
            h.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, list | tuple):
            for item in v:
                feed(item)
        elif isinstance(v, dict):
            for key in sorted(v, key=str):
                h.update(str(key).encode())
                feed(v[key])
        elif isinstance(v, float | int | np.floating | np.integer):
            h.update(np.float64(v).tobytes())
        else:
            h.update(repr(v).encode())

    feed(value)
    return h.hexdigest()


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    """One LocalCluster of two single-threaded worker processes for the module."""
    with open_executor("local:2") as executor:
        assert isinstance(executor, DaskExecutor)
        assert executor.workers == 2
        yield executor


@pytest.fixture(scope="module")
def samples() -> dict[str, tuple[object, object]]:
    out = {}
    for name in ("consumer", "factoring"):
        deal = load_sample_deal(name)
        out[name] = (deal, load_deal_pool(deal, None)[0])
    return out


# --- the same numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "importance_sampling"), [
    ("consumer", False), ("consumer", True),  # grouped defaults
    ("factoring", False),  # obligor by obligor (exact mode)
])
def test_a_run_on_the_cluster_is_bit_identical_to_the_local_one(cluster, samples, name,
                                                                 importance_sampling):
    deal, pool = samples[name]
    prepared = prepare_deal(deal, pool)
    paths = 3 * BLOCK + 1000  # a short last block too
    local = run_monte_carlo(prepared, paths=paths, seed=11, workers=2,
                            importance_sampling=importance_sampling)
    seen = []
    remote = run_monte_carlo(prepared, paths=paths, seed=11, executor=cluster,
                             blocks_per_unit=1, importance_sampling=importance_sampling,
                             progress=lambda done, total: seen.append((done, total)))
    assert digest(remote) == digest(local)
    assert seen == [(b, 4) for b in range(1, 5)]  # progress per unit, in block order


def test_a_sizing_on_the_cluster_is_bit_identical_to_the_local_one(cluster):
    deal = tranched_deal((0, 0.05, 0.15, 1.0), 0.2, 0.6, paths=5 * BLOCK,
                         targets=["AA", "BBB", None])
    pool = homogeneous_pool(200, 0.03, 0.6)
    local = structure_deal(deal, pool, price=False)
    remote = structure_deal(deal, pool, price=False, executor=cluster)
    assert digest(remote.monte_carlo) == digest(local.monte_carlo)
    assert remote.classes == local.classes
    assert remote.evaluations == local.evaluations
    assert remote.message == local.message


@pytest.mark.parametrize("resize", [False, True])
def test_a_sensitivity_grid_on_the_cluster_is_bit_identical_to_the_local_one(cluster, resize):
    deal = tranched_deal((0, 0.1, 1.0), 0.15, 0.6, paths=2 * BLOCK, targets=["A", None])
    pool = homogeneous_pool(150, 0.03, 0.6)
    x, y = ("correlation", [0.1, 0.2]), ("default_multiplier", [1.0, 1.5])
    done = []
    local = sensitivity_grid(deal, pool, x, y, resize=resize)
    remote = sensitivity_grid(deal, pool, x, y, resize=resize, executor=cluster,
                              progress=lambda n, what: done.append(n))
    assert remote.to_csv() == local.to_csv()  # every digit of every figure
    assert done == [1, 2, 3, 4]


def test_a_scenario_grid_on_the_cluster_is_the_local_one(cluster, samples):
    # 600 pairs: three units of GRID_UNIT_PATHS paths, the last one short.
    prepared = prepare_deal(*samples["factoring"])
    cdr, recovery = np.linspace(0, 0.3, 30), np.linspace(0, 0.9, 20)
    local = scenario_grid(prepared, cdr, recovery)
    remote = scenario_grid(prepared, cdr, recovery, executor=cluster)
    assert remote.to_csv() == local.to_csv()


def test_a_stress_table_on_the_cluster_is_the_local_one(cluster, samples):
    # One scenario a unit; the local run shares pool models between scenarios, the
    # cluster's units prepare their own: the same break-even searches either way.
    deal, pool = samples["consumer"]
    prepared = prepare_deal(deal, pool)
    local = stress_table(prepared)
    remote = stress_table(prepared, executor=cluster)
    assert digest(remote.to_dict()) == digest(local.to_dict())


def test_a_batch_on_the_cluster_gives_each_deal_s_own_run(cluster, samples):
    deals = [prepare_deal(*samples[name]) for name in ("consumer", "factoring")]
    settings = BatchSettings(paths=BLOCK + 100, seed=5)
    remote = list(run_batch(deals, settings, executor=cluster))
    for prepared, data in zip(deals, remote, strict=True):
        alone = analysis_dict(analyse(prepared, monte_carlo=run_monte_carlo(
            prepared, paths=BLOCK + 100, seed=5)))
        assert digest(without_time(data)) == digest(without_time(alone))


def without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "runtime_seconds"}


def test_shared_inputs_go_once_per_pool_model(cluster):
    prepared = prepare_deal(tranched_deal((0, 0.1, 1.0), 0.1, 0.6, paths=BLOCK),
                            homogeneous_pool(50, 0.02, 0.6))
    key = prepared.model
    first = cluster.share((prepared.pool, prepared.model), key=key)
    again = cluster.share((prepared.pool, prepared.model), key=key)
    assert first.target.key == again.target.key  # one scattered copy, reused
    assert cluster.share(1).target.key != cluster.share(1).target.key  # no key: per call


def test_a_block_s_sums_travel_as_kilobytes_and_unpickle_to_the_same_bits(samples):
    import pickle

    from abs_tool.engine import montecarlo as mc

    deal, pool = samples["consumer"]
    prepared = prepare_deal(deal, pool)
    seeds, sizes = mc._block_plan(BLOCK, 5)
    sums = mc._simulate_unit(prepared, [mc.draw_block(prepared, seeds[0], sizes[0], 1.0)])[0]
    data = pickle.dumps(sums)
    assert len(data) < 60_000  # the dense histograms alone are 480 kB
    back = pickle.loads(data)
    assert digest(back.__dict__) == digest(sums.__dict__)


# --- failures -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_worker_killed_mid_run_changes_nothing():
    deal = load_sample_deal("consumer")
    pool = load_deal_pool(deal, None)[0]
    prepared = prepare_deal(deal, pool)
    paths = 16 * BLOCK
    local = run_monte_carlo(prepared, paths=paths, seed=3, workers=2)
    with open_executor("local:2") as cluster:
        assert isinstance(cluster, DaskExecutor)
        pids = cluster.client.run(os.getpid)
        killed = []

        def kill_one(done: int, total: int) -> None:
            if not killed:  # after the first unit: the others are queued or running
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        remote = run_monte_carlo(prepared, paths=paths, seed=3, executor=cluster,
                                 blocks_per_unit=1, progress=kill_one)
        assert killed
        assert killed[0] not in cluster.client.run(os.getpid).values()  # it did die
    assert digest(remote) == digest(local)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_scheduler_out_of_reach_is_refused_within_seconds():
    address = f"tcp://127.0.0.1:{_free_port()}"
    started = time.perf_counter()
    with pytest.raises(ExecutorError, match=r"could not reach the Dask scheduler at "
                       + address + r" within 2 s.*dask scheduler"), \
            open_executor(address, timeout=2):
        pass
    assert time.perf_counter() - started < 10


def test_workers_of_another_version_are_refused(cluster):
    def pretend(version: str) -> None:
        import abs_tool

        abs_tool.__version__ = version

    import abs_tool

    own = abs_tool.__version__
    cluster.client.run(pretend, "9.9.9")
    try:
        with pytest.raises(ExecutorError, match=r"another version.*abs_tool 9\.9\.9 \(here "
                           + own.replace(".", r"\.") + r"\).*pip install 'abs-tool\[dask\]'"):
            DaskExecutor(cluster.client)
    finally:
        cluster.client.run(pretend, own)
    DaskExecutor(cluster.client)  # the same version again: accepted


def test_a_missing_dask_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(ExecutorError, match=r"optional Dask extra.*pip install "
                       r"'abs-tool\[dask\]'"), open_executor("local:2"):
        pass
    with pytest.raises(ExecutorError, match=r"pip install 'abs-tool\[dask\]'"), \
            open_executor("tcp://127.0.0.1:8786"):
        pass


@pytest.mark.parametrize(("spec", "message"), [
    ("local:0", "N, the worker processes, from 1 to"),
    ("local:x", "N, the worker processes"),
    ("http://host:8786", "expected `local`, `local:N` or a scheduler address"),
    ("tcp://", "expected `local`"),
])
def test_bad_specs_are_refused(spec, message):
    with pytest.raises(ExecutorError, match=message):
        parse_spec(spec)


def test_the_local_spec_is_this_process_s_threads():
    assert parse_spec("local") == ("local", None)
    assert parse_spec("local:3") == ("local", 3)
    assert parse_spec("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")
    with open_executor(None) as default, open_executor("local") as named:
        assert isinstance(default, LocalThreads)
        assert isinstance(named, LocalThreads)


def test_a_library_error_in_a_worker_arrives_as_itself(cluster):
    def refuse(unit: int) -> int:
        from abs_tool.errors import LimitError  # the worker imports it by name

        raise LimitError("paths", f"too many for unit {unit}")

    with pytest.raises(LimitError, match=r"^paths: too many for unit 0$") as info:
        list(cluster.map_ordered(refuse, [0, 1]))
    assert info.value.field == "paths"


def test_a_cancel_stops_a_cluster_run(cluster, samples):
    deal, pool = samples["consumer"]
    prepared = prepare_deal(deal, pool)
    stop = threading.Event()

    with pytest.raises(CancelledError, match="cancelled after 1 of 12 blocks"):
        run_monte_carlo(prepared, paths=12 * BLOCK, seed=1, executor=cluster,
                        blocks_per_unit=1, cancel=stop,
                        progress=lambda done, total: stop.set())


def test_a_cancel_while_a_unit_runs_ends_the_wait(cluster):
    def slow(unit: int) -> int:
        import time

        time.sleep(2)
        return unit

    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    started = time.perf_counter()
    assert list(cluster.map_ordered(slow, [0, 1, 2, 3], cancel=stop)) == []
    assert time.perf_counter() - started < 1.5  # not waiting for the running tasks


# --- the command line ---------------------------------------------------------------------


@pytest.mark.slow
def test_run_with_dask_writes_the_local_run_s_results(tmp_path, capsys):
    def results(*extra: str) -> str:
        out = tmp_path / "r.json"
        assert main(["run", "factoring", "--paths", "9000", "--seed", "4", "--quiet",
                     "--out-json", str(out), *extra]) == 0
        data = json.loads(out.read_text(encoding="utf-8"))
        data.pop("runtime_seconds")
        return json.dumps(data, sort_keys=True)  # NaN as text: equal where the bits are

    assert results("--dask", "local:2") == results()


@pytest.mark.slow
def test_the_cli_reports_an_unreachable_scheduler_as_a_user_error(capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    assert main(["run", "consumer", "--quiet", "--dask", address]) == 2
    assert f"could not reach the Dask scheduler at {address}" in capsys.readouterr().err


@pytest.mark.slow
def test_batch_and_stress_with_dask_write_the_local_results(tmp_path):
    def written(*extra: str) -> list[str]:
        out = tmp_path / "-".join(extra or ("local",))
        assert main(["batch", "consumer", "factoring", "--paths", "5000", "--quiet",
                     "--out-dir", str(out / "runs"), *extra]) == 0
        assert main(["stress", "consumer", "--quiet", "--out-json",
                     str(out / "stress.json"), *extra]) == 0
        files = [out / "runs" / "consumer.json", out / "runs" / "factoring.json",
                 out / "stress.json"]
        return [json.dumps(without_time(json.loads(f.read_text(encoding="utf-8"))),
                           sort_keys=True) for f in files]

    assert written("--dask", "local:2") == written()


def test_the_cli_refuses_a_bad_spec(capsys):
    assert main(["run", "consumer", "--dask", "local:0"]) == 2
    assert "--dask" in capsys.readouterr().err


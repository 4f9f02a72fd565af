"""Where work units run: threads of this process, or the workers of a Dask cluster.

A Monte Carlo run, a sensitivity grid or a batch of deals is a list of work units, each a
pure function of small inputs (a block's seed, a grid cell's two values) and of inputs all
units share (the pool model, the deal). An executor runs the units and hands their results
back **in unit order**, whatever order they finish in, so that the caller's reduction (sums
added block by block) is the same sequence of floating-point operations on any executor and
any number of workers: the numbers for a seed are bit-identical.

:class:`LocalThreads` (the default) runs units on a thread pool of this process: numpy and
the compiled engine release the GIL. :class:`DaskExecutor` runs them on a
``dask.distributed`` cluster: shared inputs are scattered to the workers once (cached by the
identity of the object, so every run on the same pool model reuses them), each unit travels
as a task of a few hundred bytes, and only its reduced result (a block's sums, a cell's table
rows) comes back. A lost worker's units are recomputed by the scheduler from the same
inputs, so the result does not change. Dask is an optional extra (``pip install
'abs-tool[dask]'``), imported only when a cluster is asked for.

:func:`open_executor` makes one from a spec string: ``local`` (threads, the default),
``local:N`` (a Dask LocalCluster of N worker processes on this machine) or
``tcp://HOST:PORT`` (a running scheduler). docs/dask.md says how to run a cluster.
"""

from __future__ import annotations

import contextlib
import hashlib
import platform
import threading
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from abs_tool.errors import AbsToolError, InputError
from abs_tool.limits import MAX_WORKERS

if TYPE_CHECKING:
    from distributed import Client, Future

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
T = TypeVar("T")

INSTALL_HINT = "pip install 'abs-tool[dask]'"
"""The command that installs the optional Dask extra."""

CONNECT_TIMEOUT_S = 5.0
"""Seconds to wait for a Dask scheduler before giving up with a message."""

SHARED_CACHE = 8
"""Shared inputs a Dask executor keeps scattered (least recently used dropped first)."""

_POLL_S = 0.2
"""How often a wait for a unit looks at the cancel event (a Dask task cannot see it)."""


class ExecutorError(InputError):
    """A cluster that cannot be used: the Dask extra missing, a scheduler out of reach, an
    unknown spec, or workers that run another version of the tool."""


class Executor(Protocol):
    """What runs work units (:class:`LocalThreads`, :class:`DaskExecutor`).

    Work-unit functions must be module-level (a cluster sends them by name) and must not
    rely on anything but their arguments.
    """

    @property
    def description(self) -> str:
        """Where the units run, in words (for messages and benchmark tables)."""

    @property
    def distributed(self) -> bool:
        """True when units run in other processes (inputs and results are serialised)."""

    def share(self, value: T, key: object | None = None) -> Shared[T]:
        """``value`` as the work units read it: the object itself here; on a cluster a copy
        scattered to the workers, dropped when the returned handle is, or with ``key``
        kept for later calls with the same ``key`` object (the latest
        :data:`SHARED_CACHE` keys)."""

    def map_ordered(self, fn: Callable[..., R], units: Sequence[Any], *shared: Shared[Any],
                    threads: int = 1,
                    cancel: threading.Event | None = None) -> Generator[R, None, None]:
        """``fn(unit, *shared values)`` for every unit, yielded in unit order.

        ``threads`` bounds the units running at once here (a cluster runs as many as it
        has worker threads). When ``cancel`` is set the iteration ends early, the units not
        started are dropped, and the caller sees fewer results than units; closing the
        iterator (or an error in the caller's loop, with :func:`contextlib.closing`) drops
        them too.
        """

    def keep(self, fn: Callable[..., R], units: Sequence[Any], *shared: Shared[Any],
             threads: int = 1) -> Kept[R]:
        """``fn(unit, *shared values)`` for every unit, kept where it was computed: in this
        process here, in the workers' memory on a cluster (to be passed back to later
        units as inputs with :attr:`Kept.handles`, without travelling)."""


@dataclass(frozen=True)
class Shared(Generic[T]):
    """A shared input of work units: the value itself, or on a cluster the future of its
    scattered copy (which Dask replaces by the value in the worker)."""

    target: Any


@dataclass(frozen=True)
class Kept(Generic[T]):
    """Results kept where they were computed (:meth:`Executor.keep`).

    ``local`` holds the values when they are in this process (None on a cluster);
    ``handles`` what to pass to a later work unit to read them there.
    """

    handles: tuple[Any, ...]
    local: tuple[T, ...] | None

    def __len__(self) -> int:
        return len(self.handles)

    def head(self, n: int) -> Kept[T]:
        """The first ``n`` results."""
        return Kept(self.handles[:n], None if self.local is None else self.local[:n])


# --------------------------------------------------------------------------------------------
# Results in unit order, for either kind of future


class _Future(Protocol[R_co]):  # what concurrent.futures and distributed futures offer
    def result(self, timeout: float | None = None) -> R_co: ...
    def cancel(self) -> Any: ...


def _in_order(futures: list[_Future[R] | None], cancel: threading.Event | None,
              release: Callable[[list[Any]], None] | None = None) -> Generator[R, None, None]:
    """Each future's result in list order; ends early when ``cancel`` is set, and cancels
    whatever has not been read when it ends (``release`` does it for all of them at once)."""
    try:
        for i, future in enumerate(futures):
            assert future is not None
            while True:
                if cancel is not None and cancel.is_set():
                    return
                try:
                    value = future.result(timeout=None if cancel is None else _POLL_S)
                    break
                except TimeoutError:
                    continue
            # Dropping each future once read frees its result here and, on a cluster, in
            # the worker's memory, instead of holding all of them until the end.
            futures[i] = None
            if isinstance(value, _Raised):
                raise value.rebuild()
            if cancel is not None and cancel.is_set():
                return
            yield value
    finally:
        left = [f for f in futures if f is not None]
        if release is not None and left:
            release(left)
        else:
            for f in left:
                f.cancel()


@dataclass(frozen=True)
class _Raised:
    """A library error raised by a work unit in a worker, carried back as a result.

    The tool's errors take several constructor arguments (``FieldError(field, message)``)
    and would not survive being pickled as exceptions; their class, arguments and
    attributes do, and :meth:`rebuild` makes the same error here.
    """

    cls: type[AbsToolError]
    args: tuple[Any, ...]
    state: dict[str, Any]

    def rebuild(self) -> AbsToolError:
        err = self.cls.__new__(self.cls)
        Exception.__init__(err, *self.args)
        err.__dict__.update(self.state)
        return err


def _failure(value: object) -> _Raised | None:
    """The error a kept unit raised, or None: run in the worker that holds its result."""
    return value if isinstance(value, _Raised) else None


def _call(fn: Callable[..., R], unit: Any, *shared: Any) -> R | _Raised:
    """Run one unit in a worker; a library error comes back as a :class:`_Raised`."""
    try:
        return fn(unit, *shared)
    except AbsToolError as err:
        return _Raised(type(err), err.args, dict(err.__dict__))


# --------------------------------------------------------------------------------------------
# This process's threads


class LocalThreads:
    """Work units on a thread pool of this process (a pool per call, of ``threads``
    threads): the tool's default executor."""

    description = "threads of this process"
    distributed = False

    def share(self, value: T, key: object | None = None) -> Shared[T]:
        return Shared(value)

    def map_ordered(self, fn: Callable[..., R], units: Sequence[Any], *shared: Shared[Any],
                    threads: int = 1,
                    cancel: threading.Event | None = None) -> Generator[R, None, None]:
        values = [s.target for s in shared]

        def work(unit: Any) -> R | None:
            # A unit that starts after a cancel does nothing: the caller stops reading.
            if cancel is not None and cancel.is_set():
                return None
            return fn(unit, *values)

        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            # Leaving the pool waits for the units running; _in_order has cancelled the
            # rest on an early end, so that is at most one unit a thread.
            yield from _in_order([pool.submit(work, u) for u in units],  # type: ignore[misc]
                                 cancel)

    def keep(self, fn: Callable[..., R], units: Sequence[Any], *shared: Shared[Any],
             threads: int = 1) -> Kept[R]:
        with contextlib.closing(self.map_ordered(fn, units, *shared, threads=threads)) as it:
            values = tuple(it)
        return Kept(values, values)


# --------------------------------------------------------------------------------------------
# A Dask cluster


def _import_distributed() -> Any:
    """The ``distributed`` module, or a message naming the install command."""
    try:
        import distributed
    except ImportError as err:
        raise ExecutorError(
            f"running on a Dask cluster needs the optional Dask extra, which is not "
            f"installed ({err.msg}): {INSTALL_HINT}") from None
    return distributed


def _source_digest() -> str:
    """SHA-256 of the tool's own source files: two copies of one version that differ in
    their code (a development tree) would give different numbers."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def environment() -> dict[str, str]:
    """What a worker must share with the client for bit-identical numbers: the tool's
    version and source, and the versions of the libraries that draw and compute."""
    import abs_tool  # looked up on each call: the test of the check patches it

    versions = {"abs_tool": abs_tool.__version__, "abs_tool source": _source_digest(),
                "python": ".".join(platform.python_version_tuple()[:2])}
    for package in ("numpy", "scipy", "numba"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    return versions


def check_workers(client: Client) -> int:
    """Refuse a cluster whose workers differ from this process in :func:`environment`;
    the number of workers.

    Raises
    ------
    ExecutorError
        No worker, or a worker with another version (each difference listed).
    """
    mine = environment()
    theirs: dict[str, dict[str, str]] = client.run(environment)
    if not theirs:
        raise ExecutorError(f"the Dask cluster at {getattr(client.scheduler, 'address', '?')} "
                            "has no worker "
                            "yet: start workers (docs/dask.md) and try again")
    problems = [f"worker {address}: {name} {value} (here {mine[name]})"
                for address, env in sorted(theirs.items())
                for name, value in sorted(env.items()) if mine.get(name) != value]
    if problems:
        raise ExecutorError(
            "refusing Dask workers that run another version than this process (their "
            "numbers would differ): " + "; ".join(problems)
            + f"; install the same version on every worker ({INSTALL_HINT} of the same "
            "release, or the same checkout) and restart them (docs/dask.md)")
    return len(theirs)


def _warm_up() -> float:
    """Import the engine in a worker before its first unit (numpy, scipy, numba and the
    tool: about 1.3 s a process), so that a run's first units do not wait for it; seconds.

    The compiled kernels themselves load from numba's on-disk cache (``cache=True``) at the
    first unit a worker process runs, 0.1-0.3 s once per process and never per task; a
    worker without the cache files compiles them once (docs/dask.md).
    """
    import time

    started = time.perf_counter()
    from abs_tool.engine import montecarlo  # noqa: F401  (the import is the work)
    return time.perf_counter() - started


class DaskExecutor:
    """Work units as tasks of a ``dask.distributed`` client.

    Parameters
    ----------
    client
        A connected client; its workers are checked (:func:`check_workers`) first.
    owns_cluster
        Close the client's LocalCluster with :meth:`close` (an executor made by
        :func:`open_executor` for ``local:N``).

    Raises
    ------
    ExecutorError
        Workers that differ from this process in version.
    """

    distributed = True

    def __init__(self, client: Client, *, owns_cluster: bool = False) -> None:
        self.client = client
        self.address = str(getattr(client.scheduler, "address", "?"))
        self.owns_cluster = owns_cluster
        self.workers = check_workers(client)
        client.run(_warm_up)
        # id(key) -> (key, future): the key is held so that its id is not reused.
        self._shared: OrderedDict[int, tuple[object, Future[Any]]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        return f"Dask cluster at {self.address} ({self.workers} workers)"

    def share(self, value: T, key: object | None = None) -> Shared[T]:
        # Broadcast: every worker holds a copy, so a lost worker loses no input (scattered
        # data, unlike a task's result, cannot be recomputed).
        if key is None:
            return Shared(self._scatter(value))
        with self._lock:
            hit = self._shared.get(id(key))
            if hit is not None and hit[0] is key:
                self._shared.move_to_end(id(key))
                return Shared(hit[1])
            future = self._scatter(value)
            self._shared[id(key)] = (key, future)
            while len(self._shared) > SHARED_CACHE:
                self._shared.popitem(last=False)
            return Shared(future)

    def _scatter(self, value: object) -> Future[Any]:
        # In a list: scatter sends a list's or tuple's items one by one, as many futures.
        futures: list[Future[Any]] = self.client.scatter([value], broadcast=True, hash=False)
        return futures[0]

    def _submit_all(self, fn: Callable[..., R], units: Sequence[Any],
                    shared: Sequence[Shared[Any]]) -> list[Future[Any]]:
        targets = [s.target for s in shared]
        # pure=False: units are told apart by their key, not by hashing their inputs; the
        # earlier units first, as the results are read in unit order.
        return [self.client.submit(_call, fn, unit, *targets, pure=False,
                                   priority=len(units) - i)
                for i, unit in enumerate(units)]

    def map_ordered(self, fn: Callable[..., R], units: Sequence[Any], *shared: Shared[Any],
                    threads: int = 1,
                    cancel: threading.Event | None = None) -> Generator[R, None, None]:
        futures: list[_Future[Any] | None] = list(self._submit_all(fn, units, shared))
        return _in_order(futures, cancel, release=self.client.cancel)

    def keep(self, fn: Callable[..., R], units: Sequence[Any], *shared: Shared[Any],
             threads: int = 1) -> Kept[R]:
        futures = self._submit_all(fn, units, shared)
        # The results stay in the workers' memory; only whether each unit failed comes
        # back (a library error is a result, :func:`_call`), and raises here.
        checks = [self.client.submit(_failure, f, pure=False) for f in futures]
        for failure in self.client.gather(checks):
            if failure is not None:
                raise failure.rebuild()
        return Kept(tuple(futures), None)

    def close(self) -> None:
        """Drop the shared inputs; with ``owns_cluster``, shut the cluster down."""
        with self._lock:
            self._shared.clear()
        cluster = self.client.cluster if self.owns_cluster else None
        self.client.close()
        if cluster is not None:
            cluster.close()


def _local_cluster(n_workers: int) -> Client:
    """A LocalCluster of ``n_workers`` single-threaded worker processes on the loopback
    address, without a dashboard."""
    import dask

    distributed = _import_distributed()
    # Dask's workers set MALLOC_TRIM_THRESHOLD_=65536, which made this engine's numpy
    # temporaries 2.7 times slower per task (RECIPES.md): leave glibc's default.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                           processes=True, host="127.0.0.1",
                                           dashboard_address=":0")
    client: Client = distributed.Client(cluster, set_as_default=False)
    return client


def _probe(address: str, timeout: float) -> None:
    """Open and close one connection to ``address`` with Dask's handshake, on a thread of
    its own (the caller may be inside an event loop).

    A Client that fails to connect lingers and waits 10 s to close at exit; a bare
    connection does not. Anything but a scheduler at the address fails here: no answer
    (OSError, TimeoutError) or another protocol (a garbled handshake, which Dask may read
    as a length of exabytes: MemoryError, ValueError).
    """
    import asyncio

    from distributed.comm.core import connect

    async def handshake() -> None:
        comm = await connect(address, timeout=timeout)
        await comm.close()

    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, handshake()).result()


def _connect(address: str, timeout: float) -> Client:
    distributed = _import_distributed()
    try:
        _probe(address, timeout)
    except (OSError, TimeoutError) as err:
        raise ExecutorError(
            f"could not reach the Dask scheduler at {address} within {timeout:g} s "
            f"({type(err).__name__}); is it running (`dask scheduler`), and is its port "
            "open from this machine? (docs/dask.md)") from None
    except (MemoryError, ValueError) as err:
        raise ExecutorError(
            f"something answered at {address}, but not a Dask scheduler "
            f"({type(err).__name__}); check the address and port (docs/dask.md)") from None
    client: Client = distributed.Client(address, timeout=timeout, set_as_default=False)
    return client


def parse_spec(spec: str) -> tuple[str, int | str | None]:
    """``("local", None)`` for ``local``, ``("local", N)`` for ``local:N``,
    ``("address", spec)`` for ``tcp://HOST:PORT`` or ``tls://HOST:PORT``.

    Raises
    ------
    ExecutorError
        Any other text, or N outside [1, :data:`~abs_tool.limits.MAX_WORKERS`].
    """
    text = spec.strip()
    if text == "local":
        return "local", None
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        n = int(count) if count.isdigit() else 0
        if not 1 <= n <= MAX_WORKERS:
            raise ExecutorError(f"`local:N` needs N, the worker processes, from 1 to "
                                f"{MAX_WORKERS} (got {spec[:40]!r})")
        return "local", n
    scheme, sep, rest = text.partition("://")
    if sep and scheme in ("tcp", "tls") and rest:
        return "address", text
    raise ExecutorError(f"expected `local`, `local:N` or a scheduler address "
                        f"`tcp://HOST:8786` (got {spec[:60]!r})")


@contextlib.contextmanager
def open_executor(spec: str | None,
                  timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Executor]:
    """The executor a spec names (:func:`parse_spec`; None or ``local``: this process's
    threads), closed on leaving: a LocalCluster started for ``local:N`` is shut down, a
    remote cluster only disconnected.

    Raises
    ------
    ExecutorError
        A bad spec, the Dask extra missing, a scheduler not answering within ``timeout``
        seconds, or workers of another version.
    """
    kind, value = parse_spec(spec) if spec is not None else ("local", None)
    if kind == "local" and value is None:
        yield LocalThreads()
        return
    client = (_local_cluster(int(value)) if kind == "local" and value is not None
              else _connect(str(value), timeout))
    try:
        executor = DaskExecutor(client, owns_cluster=kind == "local")
    except BaseException:
        cluster = client.cluster if kind == "local" else None
        client.close()
        if cluster is not None:
            cluster.close()
        raise
    try:
        yield executor
    finally:
        executor.close()


__all__ = ["CONNECT_TIMEOUT_S", "INSTALL_HINT", "DaskExecutor", "Executor", "ExecutorError",
           "Kept", "LocalThreads", "Shared", "check_workers", "environment", "open_executor",
           "parse_spec"]

"""observe against both in-memory fakes: every kind read in one pass, each read once, and a store that
cannot be read is its plan's error, not the run's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from publisher.core.distribution_config import CONNECTION_EVENT, DEFAULT_PATH
from publisher.core.manifest import AssociationSpec
from publisher.core.model import DistributionConfig, FunctionConfig, Stage
from publisher.core.modes import Kind
from publisher.core.stores import StoreState
from publisher.shell.files import BackupFolder
from publisher.shell.observe import observe
from publisher.shell.stores import StorePorts
from tests.factories import fn, manifest, store
from tests.fake_cloudfront import FakeCloudFront
from tests.fake_stores import ARN, FakeStores

CONFIG = FunctionConfig("c", "cloudfront-js-2.0")


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(4) as executor:
        yield executor


@pytest.fixture
def cf() -> FakeCloudFront:
    fake = FakeCloudFront()
    fake.put("live", b"v1", CONFIG, publish=True)
    fake.put("dev-only", b"v1", CONFIG)
    fake.put("someone-elses", b"x", CONFIG)
    fake.stores = {"cfg": ARN + "cfg", "empty": ARN + "empty"}
    return fake


@pytest.fixture
def kvs() -> FakeStores:
    fake = FakeStores()
    fake.put("cfg", {"a": "1"})
    fake.put("empty", {})
    return fake


def ports(kvs: FakeStores, tmp: Path) -> StorePorts:
    return StorePorts(kvs.control, kvs.data, BackupFolder(tmp, "b"), threading.Event())


SPECS = (fn("live", key_value_store="cfg"), fn("dev-only"), fn("new"))
STORES = (store("cfg", {"a": "2"}), store("empty", {}), store("missing", {"k": "v"}))


def test_functions_and_stores_are_read_in_one_pass(
    cf: FakeCloudFront, kvs: FakeStores, pool: ThreadPoolExecutor, tmp_path: Path
) -> None:
    seen = observe(cf, manifest(*SPECS, stores=STORES), pool, ports(kvs, tmp_path))
    live, dev_only, new = (seen.functions[n] for n in ("live", "dev-only", "new"))
    assert live.development and live.live and live.development.code == b"v1"
    assert dev_only.development and dev_only.live is None
    assert new.development is None and new.live is None
    assert seen.other_functions == ("someone-elses",)
    assert seen.key_value_stores == {"cfg": ARN + "cfg", "empty": ARN + "empty"}
    assert seen.stores == {
        "cfg": StoreState("cfg", ARN + "cfg", kvs.stores["cfg"].etag, {"a": "1"}),
        "empty": StoreState("empty", ARN + "empty", kvs.stores["empty"].etag, {}),
        "missing": None,
    }
    assert seen.store_errors == {}
    # each read once: a list per stage, a code per function and stage, a describe and a listing per store
    assert cf.calls == {"ListFunctions": 2, "GetFunction": 6, "ListKeyValueStores": 1}
    assert kvs.control.calls == {"DescribeKeyValueStore": 3}
    assert kvs.data.calls == {"DescribeKeyValueStore": 2, "ListKeys": 2}
    assert kvs.data.written == [] and cf.writes == 0


@pytest.mark.parametrize(
    ("refuse", "operation"),
    [("control", "DescribeKeyValueStore"), ("data", "DescribeKeyValueStore"), ("data", "ListKeys")],
)
def test_a_store_that_cannot_be_read_is_an_error_of_its_own(  # noqa: PLR0917 - fixtures and a row
    cf: FakeCloudFront,
    kvs: FakeStores,
    pool: ThreadPoolExecutor,
    tmp_path: Path,
    refuse: str,
    operation: str,
) -> None:
    port = kvs.control if refuse == "control" else kvs.data
    port.refuse(operation)  # the first call: whichever store is read first
    seen = observe(cf, manifest(*SPECS, stores=STORES[:1]), pool, ports(kvs, tmp_path))
    assert seen.store_errors == {"cfg": f"{operation}: AccessDenied: refused"}
    assert "cfg" not in seen.stores
    assert seen.functions["live"].live is not None  # the functions are read all the same


def test_without_a_store_in_the_manifest_none_is_read_only_listed(
    cf: FakeCloudFront, pool: ThreadPoolExecutor
) -> None:
    seen = observe(cf, manifest(fn("live")), pool)
    assert seen.stores == {} and set(seen.key_value_stores) == set(cf.list_key_value_stores())
    assert cf.calls["ListKeyValueStores"] == 2  # the run's one, for names and the account's loose ends
    assert cf.calls["DescribeKeyValueStore"] == 0
    assert {f.name for f in seen.account} == {f.name for f in cf.list_functions(Stage.DEVELOPMENT)}


def test_where_a_connection_function_runs_is_read_in_the_same_pass_by_its_id(
    cf: FakeCloudFront, pool: ThreadPoolExecutor
) -> None:
    """Only for one that lists `distributions:`; the others' distributions are never asked for."""
    gate = cf.put_connection("gate", b"function connectionHandler(c) { c.allow(); }", publish=True)
    cf.put_connection("other", b"function connectionHandler(c) { c.deny(); }", publish=True)
    cf.configs["E1"] = DistributionConfig("E1", "D1", {"ConnectionFunctionAssociation": {"Id": gate}})
    cf.configs["E2"] = DistributionConfig("E2", "D2", {})
    listed = (AssociationSpec("E2", DEFAULT_PATH, CONNECTION_EVENT),)
    spec = fn("gate", b"x", kind=Kind.CONNECTION_FUNCTION, associations=listed)
    unlisted = fn("other", b"x", kind=Kind.CONNECTION_FUNCTION)

    observed = observe(cf, manifest(spec, unlisted), pool)

    assert observed.connection_distributions == {"gate": ("E1",)}
    assert cf.calls["ListDistributionsByConnectionFunction"] == 1

"""Connection functions over HTTP, with real boto3: the nine operations as botocore's model describes
them, two stages with their own ETags, writes by Id, the listing's body parameters, and a test run of
the code on a connection object."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import Emulator
from tests.emulator.helpers import error_of

ALLOW_TRUSTED = b"""function handler(connection) {
  if (connection.clientCertInfo && connection.clientCertInfo.issuer === 'CN=trusted') {
    connection.allow();
  } else {
    console.log('denied ' + connection.clientIp);
    connection.deny();
  }
}
"""
CONFIG = {"Comment": "mTLS gate", "Runtime": "cloudfront-js-2.0"}


def create(cf: Any, name: str = "gate", code: bytes = ALLOW_TRUSTED) -> tuple[str, str]:
    """A connection function; answers its Id and DEVELOPMENT ETag."""
    answer = cf.create_connection_function(
        Name=name, ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=code
    )
    return answer["ConnectionFunctionSummary"]["Id"], answer["ETag"]


def etag(cf: Any, cid: str, stage: str) -> str:
    return str(cf.describe_connection_function(Identifier=cid, Stage=stage)["ETag"])


def test_create_answers_201_with_an_id_the_etag_and_the_summary(cf: Any) -> None:
    answer = cf.create_connection_function(
        Name="gate", ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=b"x"
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    summary = answer["ConnectionFunctionSummary"]
    assert (summary["Name"], summary["Status"], summary["Stage"]) == ("gate", "UNPUBLISHED", "DEVELOPMENT")
    assert summary["ConnectionFunctionArn"].endswith(":connection-function/" + summary["Id"])
    assert answer["ETag"] == etag(cf, summary["Id"], "DEVELOPMENT")


def test_a_name_is_unique_among_connection_functions_but_may_be_a_viewer_functions(cf: Any) -> None:
    cf.create_function(
        Name="gate", FunctionConfig=CONFIG, FunctionCode=b"function handler(e) { return e.request; }"
    )
    create(cf)
    with pytest.raises(ClientError) as raised:
        create(cf)
    assert error_of(raised) == ("EntityAlreadyExists", 409)


def test_writes_take_the_id_reads_the_identifier_and_a_name_is_not_an_id(cf: Any) -> None:
    cid, dev = create(cf)
    with pytest.raises(ClientError) as raised:
        cf.describe_connection_function(Identifier="gate", Stage="DEVELOPMENT")
    assert error_of(raised) == ("EntityNotFound", 404)
    new = cf.update_connection_function(
        Id=cid,
        IfMatch=dev,
        ConnectionFunctionConfig=CONFIG,
        ConnectionFunctionCode=b"function handler(c) { c.deny(); }",
    )["ETag"]
    got = cf.get_connection_function(Identifier=cid, Stage="DEVELOPMENT")
    assert got["ConnectionFunctionCode"].read() == b"function handler(c) { c.deny(); }"
    assert got["ETag"] == new != dev


def test_stages_etags_and_if_match_are_a_viewer_functions(cf: Any) -> None:
    cid, dev = create(cf)
    with pytest.raises(ClientError) as raised:
        cf.describe_connection_function(Identifier=cid, Stage="LIVE")
    assert error_of(raised) == ("EntityNotFound", 404)
    with pytest.raises(ClientError) as raised:
        cf.publish_connection_function(Id=cid, IfMatch="stale")
    assert error_of(raised) == ("PreconditionFailed", 412)
    summary = cf.publish_connection_function(Id=cid, IfMatch=dev)["ConnectionFunctionSummary"]
    assert summary["Stage"] == "LIVE"
    assert etag(cf, cid, "LIVE") != dev
    with pytest.raises(ClientError) as raised:  # the publish drew a new DEVELOPMENT ETag
        cf.update_connection_function(
            Id=cid, IfMatch=dev, ConnectionFunctionConfig=CONFIG, ConnectionFunctionCode=b"y"
        )
    assert error_of(raised) == ("PreconditionFailed", 412)


def test_the_listing_takes_stage_marker_and_max_items_in_the_body(cf: Any) -> None:
    ids = {create(cf, name)[0]: name for name in ("a", "b", "c")}
    cid = next(i for i, n in ids.items() if n == "b")
    cf.publish_connection_function(Id=cid, IfMatch=etag(cf, cid, "DEVELOPMENT"))
    first = cf.list_connection_functions(Stage="DEVELOPMENT", MaxItems=2)
    second = cf.list_connection_functions(Stage="DEVELOPMENT", MaxItems=2, Marker=first["NextMarker"])
    listed = [s["Name"] for s in first["ConnectionFunctions"] + second["ConnectionFunctions"]]
    assert sorted(listed) == ["a", "b", "c"] and "NextMarker" not in second
    live = cf.list_connection_functions(Stage="LIVE")["ConnectionFunctions"]
    assert [(s["Name"], s["Id"], s["Stage"]) for s in live] == [("b", cid, "LIVE")]


def test_the_paginator_botocore_ships_walks_the_listing(cf: Any) -> None:
    for name in ("a", "b", "c"):
        create(cf, name)
    pages = cf.get_paginator("list_connection_functions").paginate(
        Stage="DEVELOPMENT", PaginationConfig={"PageSize": 1}
    )
    assert sorted(s["Name"] for page in pages for s in page["ConnectionFunctions"]) == ["a", "b", "c"]


@pytest.mark.parametrize(("issuer", "action"), [("CN=trusted", "allow"), ("CN=someone", "deny")])
def test_a_test_runs_the_code_on_the_connection_object(cf: Any, issuer: str, action: str) -> None:
    cid, dev = create(cf)
    connection = {"clientIp": "192.0.2.1", "clientCertInfo": {"issuer": issuer, "serialNumber": "01"}}
    result = cf.test_connection_function(
        Id=cid, IfMatch=dev, Stage="DEVELOPMENT", ConnectionObject=json.dumps(connection).encode()
    )["ConnectionFunctionTestResult"]
    assert json.loads(result["ConnectionFunctionOutput"]) == {"action": action}
    assert "ConnectionFunctionErrorMessage" not in result
    assert result["ConnectionFunctionExecutionLogs"] == ([] if action == "allow" else ["denied 192.0.2.1"])
    assert result["ConnectionFunctionSummary"]["Id"] == cid


def test_a_handler_that_decides_nothing_is_denied_and_one_that_throws_is_an_error(cf: Any) -> None:
    cid, dev = create(
        cf, "silent", b"function connectionHandler(connection) { connection.logCustomData('x'); }"
    )
    result = cf.test_connection_function(Id=cid, IfMatch=dev, Stage="DEVELOPMENT", ConnectionObject=b"{}")
    assert json.loads(result["ConnectionFunctionTestResult"]["ConnectionFunctionOutput"]) == {
        "action": "deny"
    }
    cid, dev = create(cf, "thrower", b"function handler(connection) { throw new Error('boom'); }")
    result = cf.test_connection_function(Id=cid, IfMatch=dev, Stage="DEVELOPMENT", ConnectionObject=b"{}")
    assert "Error: boom" in result["ConnectionFunctionTestResult"]["ConnectionFunctionErrorMessage"]


def test_the_developer_guides_handler_name_and_connection_object_run(cf: Any) -> None:
    code = (
        b"async function connectionHandler(connection) {\n"
        b"  const leaf = connection.clientCertificate.certificates.leaf;\n"
        b"  return leaf.serialNumber.startsWith('DEV') ? connection.allow() : connection.deny();\n}\n"
    )
    cid, dev = create(cf, "devices", code)
    leaf = {"serialNumber": "DEV-01", "issuer": "CN=ca", "subject": "CN=d", "sha256Fingerprint": "x"}
    connection = {"clientCertificate": {"certificates": {"leaf": leaf}}, "clientIp": "192.0.2.1"}
    result = cf.test_connection_function(
        Id=cid, IfMatch=dev, Stage="DEVELOPMENT", ConnectionObject=json.dumps(connection).encode()
    )["ConnectionFunctionTestResult"]
    assert json.loads(result["ConnectionFunctionOutput"]) == {"action": "allow"}


def test_a_test_needs_the_tested_stages_etag_and_a_connection_object_within_the_limit(cf: Any) -> None:
    cid, dev = create(cf)
    with pytest.raises(ClientError) as raised:
        cf.test_connection_function(Id=cid, IfMatch="stale", Stage="DEVELOPMENT", ConnectionObject=b"{}")
    assert error_of(raised)[0] == "InvalidIfMatchVersion"
    big = json.dumps({"pad": "x" * 40_960}).encode()
    with pytest.raises(ClientError) as raised:
        cf.test_connection_function(Id=cid, IfMatch=dev, Stage="DEVELOPMENT", ConnectionObject=big)
    assert error_of(raised) == ("InvalidArgument", 400)


def test_runtime_1_is_refused(cf: Any) -> None:
    with pytest.raises(ClientError) as raised:
        cf.create_connection_function(
            Name="old",
            ConnectionFunctionConfig={**CONFIG, "Runtime": "cloudfront-js-1.0"},
            ConnectionFunctionCode=b"x",
        )
    assert error_of(raised) == ("InvalidArgument", 400)


def test_delete_needs_the_development_etag_and_frees_the_name(cf: Any) -> None:
    cid, dev = create(cf)
    with pytest.raises(ClientError) as raised:
        cf.delete_connection_function(Id=cid, IfMatch="stale")
    assert error_of(raised) == ("PreconditionFailed", 412)
    cf.delete_connection_function(Id=cid, IfMatch=dev)
    assert cf.list_connection_functions(Stage="DEVELOPMENT")["ConnectionFunctions"] == []
    create(cf)


def test_distributions_of_a_connection_function_are_listed_directly(cf: Any, emu: Emulator) -> None:
    cid, _ = create(cf)
    listing = cf.list_distributions_by_connection_function(ConnectionFunctionIdentifier=cid)[
        "DistributionList"
    ]
    assert (listing["Quantity"], listing["IsTruncated"]) == (0, False)  # associated with none yet
    with pytest.raises(ClientError) as raised:
        cf.list_distributions_by_connection_function(ConnectionFunctionIdentifier="nope")
    assert error_of(raised) == ("EntityNotFound", 404)
    assert emu.counts()["ListDistributionsByConnectionFunction"] == 2


def test_the_listing_and_a_test_are_posts_that_write_nothing(cf: Any, emu: Emulator) -> None:
    cid, dev = create(cf)
    emu.reset_counts()
    cf.list_connection_functions(Stage="DEVELOPMENT")
    cf.test_connection_function(Id=cid, IfMatch=dev, Stage="DEVELOPMENT", ConnectionObject=b"{}")
    assert emu.writes() == 0


def associate(cf: Any, dist: str, cid: str, mtls: dict[str, Any] | None = None) -> Any:
    """UpdateDistribution with the connection function's Id added (and viewer mTLS, if given)."""
    got = cf.get_distribution_config(Id=dist)
    config = {**got["DistributionConfig"], "ConnectionFunctionAssociation": {"Id": cid}}
    if mtls is not None:
        config["ViewerMtlsConfig"] = mtls
    return cf.update_distribution(Id=dist, IfMatch=got["ETag"], DistributionConfig=config)


def published(cf: Any) -> str:
    cid, dev = create(cf)
    cf.publish_connection_function(Id=cid, IfMatch=dev)
    return cid


def test_a_distribution_with_viewer_mtls_runs_a_published_connection_function(cf: Any, emu: Emulator) -> None:
    cid = published(cf)
    dist = emu.seed_distribution(viewer_mtls="required")
    associate(cf, dist, cid)
    config = cf.get_distribution_config(Id=dist)["DistributionConfig"]
    assert config["ConnectionFunctionAssociation"] == {"Id": cid}
    assert config["ViewerMtlsConfig"] == {
        "Mode": "required",
        "TrustStoreConfig": {"TrustStoreId": "ts-emulator", "AdvertiseTrustStoreCaNames": False},
    }
    listing = cf.list_distributions_by_connection_function(ConnectionFunctionIdentifier=cid)
    (summary,) = listing["DistributionList"]["Items"]
    assert summary["Id"] == dist
    assert summary["ConnectionFunctionAssociation"] == {"Id": cid}
    assert summary["ViewerMtlsConfig"]["Mode"] == "required"
    (listed,) = cf.list_distributions()["DistributionList"]["Items"]
    assert listed["ConnectionFunctionAssociation"] == {"Id": cid}
    live = cf.describe_connection_function(Identifier=cid, Stage="LIVE")
    assert live["ConnectionFunctionSummary"]["Status"] == "DEPLOYED"


def test_an_association_needs_viewer_mtls_and_a_published_function(cf: Any, emu: Emulator) -> None:
    plain = emu.seed_distribution()
    with pytest.raises(ClientError) as raised:
        associate(cf, plain, published(cf))
    assert error_of(raised) == ("InvalidArgument", 400)
    unpublished, _ = create(cf, "draft")
    mtls = emu.seed_distribution(viewer_mtls="optional")
    with pytest.raises(ClientError) as raised:
        associate(cf, mtls, unpublished)
    assert error_of(raised) == ("InvalidFunctionAssociation", 400)
    with pytest.raises(ClientError) as raised:
        associate(cf, mtls, "nope")
    assert error_of(raised) == ("InvalidFunctionAssociation", 400)


def test_an_associated_connection_function_cannot_be_deleted_until_detached(cf: Any, emu: Emulator) -> None:
    cid = published(cf)
    dist = emu.seed_distribution(viewer_mtls="required")
    associate(cf, dist, cid)
    with pytest.raises(ClientError) as raised:
        cf.delete_connection_function(Id=cid, IfMatch=etag(cf, cid, "DEVELOPMENT"))
    assert error_of(raised)[0] == "CannotDeleteEntityWhileInUse"
    got = cf.get_distribution_config(Id=dist)
    config = dict(got["DistributionConfig"])
    config.pop("ConnectionFunctionAssociation")
    cf.update_distribution(Id=dist, IfMatch=got["ETag"], DistributionConfig=config)
    listing = cf.list_distributions_by_connection_function(ConnectionFunctionIdentifier=cid)
    assert listing["DistributionList"]["Quantity"] == 0
    cf.delete_connection_function(Id=cid, IfMatch=etag(cf, cid, "DEVELOPMENT"))


def test_viewer_mtls_without_a_trust_store_is_not_enough(cf: Any, emu: Emulator) -> None:
    dist = emu.seed_distribution()
    with pytest.raises(ClientError) as raised:
        associate(cf, dist, published(cf), mtls={"Mode": "required"})
    assert error_of(raised) == ("InvalidArgument", 400)

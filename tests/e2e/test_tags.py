"""Tags from the outside: created with the resource, changed alone without an update, a test or a
publish, changed beside code without a 412 whether or not tagging moves the ETag, a second writer's
keys kept, and the AWS CLI as a second client reading what was written."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from tests.e2e.conftest import Run, code_of, handler
from tests.e2e.test_aws_cli import AWS, aws_cli
from tests.e2e.test_stores import loopback

__all__ = ["loopback"]  # the fixture that lets the data API's host name resolve here
ARN = "arn:aws:cloudfront::123456789012:function/"
TESTED = (
    "    tests:\n      - name: passes\n        event: {context: {eventType: viewer-request}, request: "
    "{method: GET, uri: /, headers: {}, querystring: {}, cookies: {}}}\n"
)


def manifest(root: Path, tags: str, *, body: str = "return event.request;", store: str = "") -> None:
    (root / "edge.js").write_bytes(handler(body))
    (root / "cloudfront-functions.yml").write_text(
        f"{store}functions:\n  - name: edge\n    code: edge.js\n    comment: edge\n{tags}{TESTED}"
    )


def test_a_function_is_created_with_its_tags_and_a_plan_after_it_changes_nothing(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, "    tags: {team: web, cost-centre: '42'}\n")
    run = cli("publish")
    assert run.code == 0, run.out + run.err
    assert emu.tags(ARN + "edge") == {"team": "web", "cost-centre": "42"}
    assert "TagResource" not in emu.counts()  # the create call carried them
    planned = cli("plan", "--json")
    assert planned.json["has_changes"] is False, planned.out
    assert emu.counts()["ListTagsForResource"] == 1


def test_a_manifest_without_tags_reads_none(emu: Emulator, workspace: Path, cli: Callable[..., Run]) -> None:
    manifest(workspace, "")
    assert cli("publish").code == 0
    assert cli("plan").code == 0
    assert "ListTagsForResource" not in emu.counts()


def test_a_tags_only_change_is_tagged_alone_never_updated_tested_or_published(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, "    tags: {team: web, old: x}\n")
    assert cli("publish").code == 0
    aws.tag_resource(Resource=ARN + "edge", Tags={"Items": [{"Key": "theirs", "Value": "kept"}]})
    emu.refuse_unchanged_publish = True  # issue #49572: a publish of unchanged code answers 412
    manifest(workspace, "    tags: {team: platform, old: null}\n")
    planned = cli("plan")
    assert "edge" in planned.out and "tags: team=platform (was web), remove old" in planned.out, planned.out
    assert "0 to update, 0 to publish, 0 unchanged, 1 to tag." in planned.out, planned.out
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    (function,) = run.json["functions"]
    assert function["status"] == "updated" and function["done"] == ["tag", "untag"]
    writes = {op: n for op, n in emu.counts().items() if op in ("TagResource", "UntagResource")}
    assert writes == {"TagResource": 1, "UntagResource": 1}
    for untouched in ("UpdateFunction", "TestFunction", "PublishFunction", "DescribeFunction"):
        assert untouched not in emu.counts(), emu.counts()
    assert emu.tags(ARN + "edge") == {"team": "platform", "theirs": "kept"}
    backup = json.loads(Path(function["backup"]).read_text())
    assert backup["Tags"] == [
        {"Key": "old", "Before": "x", "After": None},
        {"Key": "team", "Before": "web", "After": "platform"},
    ]
    assert cli("plan", "--json").json["has_changes"] is False


@pytest.mark.parametrize("renews", [False, True], ids=["etag-kept", "etag-renewed"])
def test_tags_and_code_together_publish_once_whether_or_not_tagging_moves_the_etag(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run], renews: bool
) -> None:
    manifest(workspace, "    tags: {team: web}\n")
    assert cli("publish").code == 0
    emu.tagging_renews_etag = renews
    manifest(workspace, "    tags: {team: platform}\n", body="/* v2 */ return event.request;")
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    (function,) = run.json["functions"]
    assert function["done"] == ["update", "publish", "tag"], function
    counts = emu.counts()
    # no 412 and no retry: the tag came after the publish, which rested on UpdateFunction's ETag
    assert (counts["UpdateFunction"], counts["PublishFunction"], counts["GetFunction"]) == (1, 1, 2), counts
    assert b"v2" in code_of(aws, "edge", "LIVE")
    assert emu.tags(ARN + "edge") == {"team": "platform"}
    again = cli("plan", "--json")
    assert again.json["has_changes"] is False, again.out


def test_a_second_writer_between_the_read_and_the_tag_write_keeps_their_other_keys(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, "    tags: {team: web}\n")
    assert cli("publish").code == 0
    manifest(workspace, "    tags: {team: platform}\n")

    def colleague(e: Emulator) -> None:
        items = [{"Key": "team", "Value": "theirs"}, {"Key": "owner", "Value": "ana"}]
        aws.tag_resource(Resource=ARN + "edge", Tags={"Items": items})

    emu.before("TagResource", colleague)
    run = cli("publish", "--json")
    assert run.code == 0, run.out
    # TagResource has no If-Match: the keys the manifest names are its own, the last write wins there
    assert emu.tags(ARN + "edge") == {"team": "platform", "owner": "ana"}


def test_a_store_takes_its_tags_on_create_and_changes_them_alone(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    store = "defaults:\n  tags: {team: web}\nkey-value-stores:\n  - name: flags\n"
    manifest(workspace, "", store=store)
    assert cli("publish").code == 0, cli("plan").out
    arn = str(aws.describe_key_value_store(Name="flags")["KeyValueStore"]["ARN"])
    assert emu.tags(arn) == {"team": "web"} and emu.tags(ARN + "edge") == {"team": "web"}
    manifest(workspace, "", store=store + "    tags: {team: null, data: flags}\n")
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    (result,) = run.json["stores"]
    assert result["done"] == ["tag", "untag"] and emu.tags(arn) == {"data": "flags"}
    assert "UpdateKeys" not in emu.counts() and "UpdateFunction" not in emu.counts()


@pytest.mark.skipif(AWS is None and not os.environ.get("CI"), reason="the AWS CLI is not installed")
def test_the_aws_cli_reads_and_changes_the_tags_the_publisher_wrote(
    emu: Emulator, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, "    tags: {team: web}\n")
    assert cli("publish").code == 0
    listed = aws_cli(emu, "list-tags-for-resource", "--resource", ARN + "edge")
    assert listed["Tags"]["Items"] == [{"Key": "team", "Value": "web"}]
    aws_cli(emu, "untag-resource", "--resource", ARN + "edge", "--tag-keys", "Items=team")
    planned = cli("plan", "--json")
    (function,) = planned.json["functions"]
    assert function["actions"] == ["tag"] and "tags: team=web" in function["reason"]


def test_rollback_puts_the_tags_back_but_not_over_someone_elses_later_change(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    manifest(workspace, "    tags: {team: web, old: x, owner: ana}\n")
    assert cli("publish").code == 0
    manifest(workspace, "    tags: {team: platform, old: null, owner: bo}\n")  # tags alone
    published = cli("publish", "--json")
    assert published.code == 0, published.out
    aws.tag_resource(Resource=ARN + "edge", Tags={"Items": [{"Key": "owner", "Value": "cy"}]})
    emu.reset_counts()
    run = cli("rollback", "--from", published.json["backup_dir"], "--json")
    assert run.code == 0, run.out + run.err
    (function,) = run.json["functions"]
    assert function["done"] == ["tag"], function
    assert "owner changed by someone else since, left as is" in function["reason"], function["reason"]
    assert emu.tags(ARN + "edge") == {"team": "web", "old": "x", "owner": "cy"}
    for untouched in ("UpdateFunction", "PublishFunction", "TestFunction"):
        assert untouched not in emu.counts()


def test_rollback_of_code_and_tags_restores_both_and_a_stores_tags(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    store = "key-value-stores:\n  - name: flags\n    tags: {team: web}\n"
    manifest(workspace, "    tags: {team: web}\n", store=store)
    assert cli("publish").code == 0
    arn = str(aws.describe_key_value_store(Name="flags")["KeyValueStore"]["ARN"])
    store = "key-value-stores:\n  - name: flags\n    tags: {team: platform}\n"
    manifest(workspace, "    tags: {team: platform}\n", body="/* v2 */ return event.request;", store=store)
    published = cli("publish", "--json")
    assert published.code == 0, published.out
    run = cli("rollback", "--from", published.json["backup_dir"], "--json")
    assert run.code == 0, run.out + run.err
    (function,) = run.json["functions"]
    assert function["done"] == ["update", "publish", "tag"], function
    assert b"v2" not in code_of(aws, "edge", "LIVE")
    assert emu.tags(ARN + "edge") == {"team": "web"} and emu.tags(arn) == {"team": "web"}


def test_a_connection_function_takes_tags_like_a_viewer_function_of_the_same_name(
    emu: Emulator, aws: Any, workspace: Path, cli: Callable[..., Run]
) -> None:
    from tests.e2e.test_connection_functions import write

    write(workspace, tests="    tags: {team: tls}\n")
    assert cli("publish").code == 0
    (cid,) = [f["Id"] for f in aws.list_connection_functions(Stage="DEVELOPMENT")["ConnectionFunctions"]]
    arn = f"arn:aws:cloudfront::123456789012:connection-function/{cid}"
    assert emu.tags(arn) == {"team": "tls"} and emu.tags(ARN + "gate") == {}
    write(workspace, tests="    tags: {team: mtls}\n")
    emu.reset_counts()
    run = cli("publish", "--json")
    assert run.code == 0, run.out + run.err
    done = {(f["kind"], f["name"]): f["done"] for f in run.json["functions"]}
    assert done == {("function", "gate"): [], ("connection-function", "gate"): ["tag"]}
    assert emu.tags(arn) == {"team": "mtls"} and emu.tags(ARN + "gate") == {}
    assert not {"UpdateConnectionFunction", "PublishConnectionFunction"} & set(emu.counts())

"""The Action end to end in-process: outputs, log groups, and a summary rewritten when the wait ends."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from emulator import Emulator
from publisher.action import main
from tests.e2e.conftest import handler, write_manifest
from tests.e2e.test_stores import loopback

__all__ = ["loopback"]  # the data API's host resolved to loopback, for the store test


def outputs(path: Path) -> dict[str, str]:
    found, lines = {}, iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            found[name] = "\n".join(iter(lambda: next(lines), delimiter))
        else:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def test_publish_and_wait_as_the_action(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)  # boto3 reads it from the process environment
    arn = emu.seed_function("a", handler("/*old*/ return event.request;"), comment="a", publish=True)
    dist = emu.seed_distribution(default_function_arns=[(arn, "viewer-request")])
    emu.deploy_delay = 2.0
    write_manifest(workspace, {"a": handler(), "b": handler()})
    summary = workspace / "step_summary"
    summary.write_text("# from an earlier step\n")
    seen_while_waiting: list[str] = []
    emu.before("GetDistribution", lambda _: seen_while_waiting.append(summary.read_text()))
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(workspace / "out"),
        "GITHUB_STEP_SUMMARY": str(summary),
        "INPUT_MODE": "publish",
        "INPUT_WAIT-FOR-DEPLOYMENT": "true",
        "INPUT_WAIT-TIMEOUT-MINUTES": "1",
        "GITHUB_SHA": "0123456789ab",
    }
    log = io.StringIO()
    with redirect_stdout(log):
        assert main(env) == 0
    out = outputs(workspace / "out")
    assert json.loads(out["published"]) == ["a", "b"]
    assert json.loads(out["distributions"]) == [dist]
    assert out["has-changes"] == "true"
    assert json.loads(out["result"])["wait"]["deployed"] == [dist]
    assert "InProgress" in seen_while_waiting[0]  # the summary existed while the wait ran
    final = summary.read_text()
    assert final.startswith("# from an earlier step\n")
    assert final.count("CloudFront Functions") == 1  # rewritten, not appended
    assert "Deployed to the edge" in final
    text = log.getvalue()
    assert text.count("::group::") == 2
    assert "::notice title=CloudFront Functions::a published" in text
    assert "distributions deployed after" in text


def test_the_result_output_stays_under_its_cap_with_a_5000_key_store(
    emu: Emulator, workspace: Path, monkeypatch: pytest.MonkeyPatch, loopback: None
) -> None:
    """5,000 keys of 1,000 bytes make a plan whose result is over 5 MB; the output holds 512 KB at most,
    says what it left out, and keeps what a workflow decides on."""
    from publisher.core.capped import RESULT_LIMIT

    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    (workspace / "kvs").mkdir()
    entries = [{"key": f"key-{i:04}", "value": f"{i:04}" + "v" * 996} for i in range(5000)]
    (workspace / "kvs" / "big.json").write_text(json.dumps({"data": entries}))
    write_manifest(workspace, {"a": handler()}, "key-value-stores:\n  - name: big\n    data: kvs/big.json\n")
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(workspace / "out"),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary"),
        "INPUT_MODE": "plan",
    }
    with redirect_stdout(io.StringIO()):
        assert main(env) == 0
    text = outputs(workspace / "out")["result"]
    assert len(text.encode()) <= RESULT_LIMIT
    result = json.loads(text)
    assert "store keys" in result["omitted"]
    (store,) = result["stores"]
    assert store["status"] == "planned" and store["keys_omitted"] == {
        "added": 5000,
        "changed": 0,
        "deleted": 0,
    }
    assert result["has_changes"] is True and result["functions"][0]["status"] == "planned"
    assert (workspace / "out").stat().st_size < 1024 * 1024  # all outputs within the job's 1 MB

"""Sensitive values out of every string of a result: values in, values out."""

from __future__ import annotations

from publisher.core.modes import Mode
from publisher.core.result import FunctionResult, Result, Status
from publisher.core.result import TestReport as CaseReport
from publisher.core.secrets import HIDDEN, Secrets
from publisher.core.stores import StoreSpec

SECRET = 'pa"ss-word\\1'


def result(text: str) -> Result:
    test = CaseReport(name="t", passed=False, utilization=1, logs=[f"saw {text}"], mismatch=f"- {text}")
    function = FunctionResult(name="f", status=Status.BLOCKED, actions=["publish"], error=text, tests=[test])
    return Result(mode=Mode.PUBLISH, functions=[function], warnings=[text])


def test_every_string_of_a_result_loses_the_value_as_written_and_as_quoted() -> None:
    secrets = Secrets([SECRET])
    for written in (SECRET, 'pa\\"ss-word\\\\1', repr(SECRET)[1:-1]):
        hidden = secrets.hidden(result(written))
        text = hidden.model_dump_json()
        assert "ss-word" not in text, written
        assert hidden.functions[0].tests[0].logs == [f"saw {HIDDEN}"]
        assert hidden.functions[0].status is Status.BLOCKED


def test_only_sensitive_stores_count_and_short_values_are_left() -> None:
    stores = [
        StoreSpec("open", data={"a": "visible-value"}),
        StoreSpec("closed", data={"a": "hidden-value", "b": "on"}, sensitive=True),
    ]
    secrets = Secrets.of(stores)
    assert secrets.hide("visible-value hidden-value on") == f"visible-value {HIDDEN} on"


def test_a_result_without_secrets_is_the_same_object() -> None:
    original = result("nothing to hide")
    assert Secrets([]).hidden(original) is original
    assert Secrets(["elsewhere"]).hidden(original) is original

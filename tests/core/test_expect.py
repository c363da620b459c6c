from __future__ import annotations

from typing import Any

import pytest

from publisher.core.expect import mismatch

OUTPUT = {"response": {"statusCode": 301, "headers": {"location": {"value": "https://www.example.com/"}}}}


@pytest.mark.parametrize(
    ("expect", "diff"),
    [
        ({"response.statusCode": 301}, ""),
        ({"response": {"statusCode": 301}}, ""),
        ({"response.headers.location.value": "https://www.example.com/"}, ""),
        ({"response.headers.x-frame-options": None}, ""),
        ({"response.statusCode": 302}, "- response.statusCode: 302\n+ response.statusCode: 301"),
        (
            {"response.headers.location": None},
            '- response.headers.location: (absent)\n+ response.headers.location: {"value": "https://www.example.com/"}',
        ),
        ({"request.uri": "/"}, '- request.uri: "/"\n+ request.uri: (absent)'),
    ],
)
def test_expectations_are_a_structural_subset(expect: dict[str, Any], diff: str) -> None:
    assert mismatch(expect, OUTPUT) == diff

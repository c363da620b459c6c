"""The SDK debug log's redaction, as pure text in and out: the lines botocore writes, values inside."""

from __future__ import annotations

import json

import pytest

from publisher.shell.redact import HIDDEN, redact

VALUES = [
    "plain",
    'a "quoted" tail',
    '{"Value": "inner", "x": ["list"]}',
    'back\\slash \\" tail',
    "it's",
    "b'looks like bytes'",
]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_in_a_logged_request_body_is_hidden_whole(value: str) -> None:
    body = json.dumps({"Puts": [{"Key": "k", "Value": value}], "Deletes": []}).encode()
    line = f"Making request for OperationModel(name=UpdateKeys) with params: {{'method': 'POST', 'body': {body!r}}}"
    shown = redact(line)
    assert HIDDEN in shown and '"Key": "k"' in shown  # the key stays: only values are secret
    for word in ("quoted", "inner", "list", "slash", "it's", "looks like"):
        assert word not in shown or word not in value


@pytest.mark.parametrize("value", VALUES)
def test_a_value_in_a_logged_response_and_a_dict_repr_is_hidden(value: str) -> None:
    body = json.dumps({"Items": [{"Key": "k", "Value": value}]}).encode()
    for line in (f"Response body:\n{body!r}", repr({"Items": [{"Key": "k", "Value": value}]}), body.decode()):
        shown = redact(line)
        assert value not in shown and HIDDEN in shown
        for word in ("quoted", "inner", "list", "slash", "looks like"):
            assert word not in shown or word not in value, shown


def test_a_body_cut_short_is_hidden_whole() -> None:
    line = 'body: b\'{"Items": [{"Key": "k", "Value": "a \\\\"cut\''
    assert "cut" not in redact(line)


def test_text_without_values_is_left_as_it_is() -> None:
    line = 'Bob\'s request b\'{"Name": "flags"}\' went out'
    assert redact(line) == line


def test_a_cloudfront_body_that_only_mentions_key_value_stores_is_left_whole() -> None:
    body = b"<FunctionConfig><KeyValueStoreAssociations><Quantity>1</Quantity></KeyValueStoreAssociations></FunctionConfig>"
    line = f"Response body:\n{body!r}"
    assert redact(line) == line

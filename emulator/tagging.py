"""TagResource, UntagResource and ListTagsForResource for functions, connection functions and
KeyValueStores, on moto's tagger.

moto's own handlers tag any string at all; CloudFront answers NoSuchResource for an ARN it does not
hold, and InvalidTagging for a key or value outside the model's pattern and lengths. Whether tagging
a function gives it a new ETag AWS does not document: the field report of Terraform AWS provider
issue #49572 reads as if it does, so `State.tagging_renews_etag` turns that on (off by default).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from emulator.errors import InvalidTagging, NoSuchResource
from emulator.functions import Function
from emulator.state import State

_ALLOWED = re.compile(r"[\w\s.:/=+\-@]*")  # \p{L}\p{Z}\p{N}_.:/=+-@, as near as `re` comes
MAX_TAGS = 50  # per resource (Developer Guide, "Tagging")


def check_tags(items: list[dict[str, Any]]) -> None:
    for item in items:
        key, value = item.get("Key") or "", item.get("Value") or ""
        if not 1 <= len(key) <= 128 or len(value) > 256 or not _ALLOWED.fullmatch(key + value):
            raise InvalidTagging(detail=f"The tag {key!r} is not valid.")
        if key.lower().startswith("aws:"):
            raise InvalidTagging(detail=f"The tag key {key!r} uses the reserved prefix aws:.")


def function_of(state: State, arn: str) -> Function | None:
    """The function (viewer or connection) an ARN names, or None."""
    prefix, _, name = arn.rpartition("/")
    viewer = state.functions.find(name)
    if viewer is not None and viewer.arn == arn:
        return viewer
    if prefix.endswith(":connection-function"):
        return next((f for f in state.connection_functions.all() if f.arn == arn), None)
    return None


def check_resource(state: State, arn: str) -> Function | None:
    """The function the ARN names (None for a store or a distribution); NoSuchResource if it names none."""
    function = function_of(state, arn)
    if function is not None:
        return function
    backend = state.backend
    if state.kvs_exists(arn) or any(d.arn == arn for d in backend.distributions.values()):
        return None
    raise NoSuchResource(detail=f"The resource {arn} does not exist.")


def tag(state: State, arn: str, items: list[dict[str, Any]]) -> None:
    function = check_resource(state, arn)
    check_tags(items)
    held = state.backend.tagger.get_tag_dict_for_resource(arn)
    if len(set(held) | {i["Key"] for i in items}) > MAX_TAGS:
        raise InvalidTagging(detail=f"A resource takes at most {MAX_TAGS} tags.")
    state.backend.tagger.tag_resource(arn, [{"Key": i["Key"], "Value": i.get("Value") or ""} for i in items])
    _renew(state, function)


def untag(state: State, arn: str, keys: list[str]) -> None:
    function = check_resource(state, arn)
    state.backend.tagger.untag_resource_using_names(arn, keys)
    _renew(state, function)


def listing(state: State, arn: str) -> list[dict[str, str]]:
    check_resource(state, arn)
    held = state.backend.tagger.get_tag_dict_for_resource(arn)
    return [{"Key": k, "Value": v} for k, v in sorted(held.items())]


def forget(state: State, arn: str) -> None:
    """A deleted resource's tags go with it: one created again under the same name starts bare."""
    state.backend.tagger.delete_all_tags_for_resource(arn)


def _renew(state: State, function: Function | None) -> None:
    if function is not None and state.tagging_renews_etag:
        function.development = replace(function.development, etag=state.new_etag())

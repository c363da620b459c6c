"""A lean XML writer for distribution listings, driven by botocore's output shape.

moto's serializer takes ~0.2 s per page of 100 distributions; a scan of 5,000 would cost the
benchmarks ten seconds of emulator time. This writer reads the same objects the same way (a dict
key, else the attribute under the model's name or its snake_case form) and is many times faster.
"""

from __future__ import annotations

import base64
import functools
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

import botocore.session
from botocore import xform_name

from emulator.errors import XMLNS


@functools.cache
def _output_shape(operation: str) -> Any:
    model = botocore.session.get_session().get_service_model("cloudfront")
    return model.operation_model(operation).output_shape


def _pick(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return value.get(name)
    found = getattr(value, name, None)
    return found if found is not None else getattr(value, xform_name(name), None)


def _scalar(type_name: str, value: Any) -> str:
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name == "timestamp" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if type_name == "blob":
        return base64.b64encode(value).decode()
    return escape(str(value))


def _element(shape: Any, value: Any, name: str) -> str:
    if shape.type_name == "structure":
        inner = "".join(
            _element(member, picked, member.serialization.get("name", member_name))
            for member_name, member in shape.members.items()
            if (picked := _pick(value, member_name)) is not None
        )
    elif shape.type_name == "list":
        item_name = shape.member.serialization.get("name", "member")
        inner = "".join(_element(shape.member, item, item_name) for item in value)
    else:
        inner = _scalar(shape.type_name, value)
    return f"<{name}>{inner}</{name}>"


def distribution_list_xml(operation: str, listing: dict[str, Any]) -> str:
    """The whole answer of ListDistributions or ListDistributionsByConnectionMode."""
    payload = _output_shape(operation).members["DistributionList"]
    body = _element(payload, listing, "DistributionList")
    opening = f'<DistributionList xmlns="{XMLNS}">'
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + opening + body.removeprefix("<DistributionList>")

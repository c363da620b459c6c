"""Sensitive values kept out of every text a run shows. No I/O.

A store marked `sensitive` has its values shown nowhere by design (reports hash them), but a function
may copy one into what its test returns or logs, and then it would reach the console, `--json`, the
summary, the Action's log and outputs, and the pull-request comment. Every value of such a store that
the run knows (its data file's) is replaced, in each string of the result and each line said during
the run, as written and as JSON or Python would quote it.

A value shorter than MIN_LENGTH is left: replacing it would cut ordinary words apart, and its hash in
the report gives it away to anyone who tries the few candidates anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import Enum
from typing import TypeVar, cast

from pydantic import BaseModel

from publisher.core.stores import StoreSpec

HIDDEN = "***"
MIN_LENGTH = 4

T = TypeVar("T")


class Secrets:
    """The forms of every known sensitive value, longest first so that no part of one is left behind."""

    def __init__(self, values: Iterable[str]) -> None:
        forms = set()
        for value in values:
            if len(value) >= MIN_LENGTH:
                forms |= {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
                forms |= {repr(value)[1:-1], value.encode("unicode_escape").decode()}
        self.forms = sorted((f for f in forms if len(f) >= MIN_LENGTH), key=len, reverse=True)

    @classmethod
    def of(cls, stores: Iterable[StoreSpec]) -> Secrets:
        return cls(v for store in stores if store.sensitive and store.data for v in store.data.values())

    def __bool__(self) -> bool:
        return bool(self.forms)

    def hide(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, HIDDEN)
        return text

    def hidden(self, value: T) -> T:
        """The value (a result, or any part of one) with every string in it hidden; unchanged when
        nothing in it is secret."""
        return cast(T, self._walk(value)) if self.forms else value

    def _walk(self, value: object) -> object:
        if isinstance(value, Enum):
            return value
        if isinstance(value, str):
            hidden = self.hide(value)
            return value if hidden == value else hidden
        if isinstance(value, BaseModel):
            fields = {name: getattr(value, name) for name in type(value).model_fields}
            changed = {name: new for name, old in fields.items() if (new := self._walk(old)) is not old}
            return value.model_copy(update=changed) if changed else value
        if isinstance(value, list | tuple):
            items = [self._walk(item) for item in value]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
        if isinstance(value, dict):
            pairs = {self._walk(k): self._walk(v) for k, v in value.items()}
            return value if list(pairs.items()) == list(value.items()) else pairs
        return value

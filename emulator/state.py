"""Everything one emulator holds, behind one lock, apart from moto's global backends."""

from __future__ import annotations

import random
import string
import threading
from collections.abc import Iterable

from moto.core.models import DEFAULT_ACCOUNT_ID

from emulator.connection_functions import ConnectionFunctionStore
from emulator.distributions import EmulatorBackend
from emulator.functions import FunctionStore
from emulator.metrics import CloudWatch

ETAG_ALPHABET = string.ascii_uppercase + string.digits


class State:
    """Functions (per stage), distributions and KeyValueStores (moto's model, extended), store data,
    and CloudWatch's metrics.

    Each emulator has its own backend instance rather than moto's process-wide one, so several
    emulators in one test session never see each other's distributions.
    """

    def __init__(self, seed: int, deploy_delay: float) -> None:
        self.lock = threading.RLock()
        self._rng = random.Random(seed)
        self.backend = EmulatorBackend("aws", DEFAULT_ACCOUNT_ID)
        self.backend.new_etag = self.new_etag
        self.backend.deploy_delay = deploy_delay
        self.functions = FunctionStore(f"arn:aws:cloudfront::{DEFAULT_ACCOUNT_ID}:function/", self.new_etag)
        self.connection_functions = ConnectionFunctionStore(
            f"arn:aws:cloudfront::{DEFAULT_ACCOUNT_ID}:connection-function/",
            self.new_etag,
            self.new_connection_function_id,
            self.functions,
        )
        self.kvs_data: dict[str, dict[str, str]] = {}
        self.kvs_etags: dict[str, str] = {}  # the data API's ETag of each store, by ARN (kvs.py)
        self.tagging_renews_etag = False  # TagResource/UntagResource give a function's DEVELOPMENT a new ETag
        self.cloudwatch = CloudWatch()  # has its own lock: metrics never wait on CloudFront's

    def new_etag(self) -> str:
        """CloudFront-like version tokens (E + 13 characters), drawn from the seeded generator."""
        return "E" + "".join(self._rng.choice(ETAG_ALPHABET) for _ in range(13))

    def new_connection_function_id(self) -> str:
        """An Id for a connection function: 14 lower-case letters and digits, from the seeded generator
        (the service's format is not documented)."""
        return "".join(self._rng.choice(string.ascii_lowercase + string.digits) for _ in range(14))

    def kvs_exists(self, arn: str) -> bool:
        return any(store.arn == arn for store in self.backend.key_value_stores.values())

    def kvs_items(self, arns: Iterable[str]) -> dict[str, str]:
        """The data a function's KeyValueStore holds, as seeded with `seed_kvs_data`."""
        return {key: value for arn in arns for key, value in self.kvs_data.get(arn, {}).items()}

    def kvs_etag(self, arn: str) -> str:
        return self.kvs_etags.get(arn) or self.renew_kvs_etag(arn)

    def renew_kvs_etag(self, arn: str) -> str:
        """Every change to a store's keys draws a new ETag, as UpdateKeys answers one."""
        self.kvs_etags[arn] = self.new_etag()
        return self.kvs_etags[arn]

    def in_use(self, function_arn: str) -> bool:
        return bool(self.backend.users.get(function_arn))

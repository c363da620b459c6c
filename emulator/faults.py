"""The knobs an emulator turns on its traffic: counts, latency, a rate limit, faults and hooks.

Shared between the `Emulator` (which sets them) and the middleware (which reads them from request
threads), so every method takes the controls' own small lock, never the state lock.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

FAULTS = ("throttle", "500", "503", "denied", "reset", "timeout", "lost-response")
DEFAULT_RANDOM_FAULTS = ("throttle", "500", "503", "reset", "lost-response")


@dataclass
class Injection:
    operation: str
    fault: str
    times: int
    function: str | None

    def matches(self, operation: str, function: str | None) -> bool:
        return self.operation == operation and self.function in (None, function)


class TokenBucket:
    """`rate` requests a second with a small burst, as CloudFront's control plane allows."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError(f"rate_limit must be positive, not {rate}")
        self.rate = rate
        self.capacity = max(1.0, min(5.0, rate / 2))
        self._tokens = self.capacity
        self._at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


def check_fault(fault: str) -> str:
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; use one of {', '.join(FAULTS)}")
    return fault


class Controls:
    def __init__(self, seed: int, latency: float, rate_limit: float | None) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(f"faults-{seed}")
        self.latency = latency
        self.timeout_seconds = 65.0  # past botocore's and the AWS CLI's 60 s default read timeout
        self._bucket = TokenBucket(rate_limit) if rate_limit is not None else None
        self._counts: Counter[str] = Counter()
        self._writes: Counter[str] = Counter()
        self._injections: list[Injection] = []
        self._random: tuple[float, tuple[str, ...]] = (0.0, ())
        self._hooks: dict[str, list[Callable[[], object]]] = {}

    # Counting

    def count(self, operation: str, write: bool) -> None:
        with self._lock:
            self._counts[operation] += 1
            if write:
                self._writes[operation] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def writes(self) -> int:
        with self._lock:
            return sum(self._writes.values())

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()
            self._writes.clear()

    # Rate limit

    @property
    def rate_limit(self) -> float | None:
        return None if self._bucket is None else self._bucket.rate

    @rate_limit.setter
    def rate_limit(self, rate: float | None) -> None:
        with self._lock:
            self._bucket = None if rate is None else TokenBucket(rate)

    def throttled(self) -> bool:
        with self._lock:
            return self._bucket is not None and not self._bucket.take()

    # Faults

    def inject(self, operation: str, fault: str, times: int, function: str | None) -> None:
        with self._lock:
            self._injections.append(Injection(operation, check_fault(fault), times, function))

    def fault_rate(self, rate: float, faults: Iterable[str]) -> None:
        chosen = tuple(check_fault(fault) for fault in faults)
        if not 0.0 <= rate <= 1.0 or (rate and not chosen):
            raise ValueError("fault_rate needs a rate in [0, 1] and at least one fault")
        with self._lock:
            self._random = (rate, chosen)

    def take_fault(self, operation: str, function: str | None) -> str | None:
        """An injected fault first (used up one at a time), else maybe a random one."""
        with self._lock:
            for injection in self._injections:
                if injection.matches(operation, function):
                    injection.times -= 1
                    if injection.times <= 0:
                        self._injections.remove(injection)
                    return injection.fault
            rate, faults = self._random
            if faults and self._rng.random() < rate:
                return self._rng.choice(faults)
            return None

    def lost_response_answer(self) -> str:
        """After applying the write, a lost response is a 500 or a dropped connection."""
        with self._lock:
            return self._rng.choice(("500", "reset"))

    # Hooks

    def before(self, operation: str, hook: Callable[[], object]) -> None:
        with self._lock:
            self._hooks.setdefault(operation, []).append(hook)

    def take_hook(self, operation: str) -> Callable[[], object] | None:
        with self._lock:
            hooks = self._hooks.get(operation)
            return hooks.pop(0) if hooks else None

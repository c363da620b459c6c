"""Small builders for core values, so a test states only what matters to it."""

from __future__ import annotations

from publisher.core.manifest import FunctionSpec, Manifest
from publisher.core.model import FunctionConfig, FunctionState, Observed, StageState
from publisher.core.stores import StoreSpec, StoreState

ARN = "arn:aws:cloudfront::123456789012:function/"
STORE = "arn:aws:cloudfront::123456789012:key-value-store/0f3c"


def config(
    comment: str = "c", runtime: str = "cloudfront-js-2.0", store: str | None = None
) -> FunctionConfig:
    return FunctionConfig(comment, runtime, (store,) if store else ())


def stage(code: bytes, etag: str = "E1", **cfg: str | None) -> StageState:
    return StageState(etag, code, config(**cfg), ARN + "fn")  # type: ignore[arg-type]


def fn(name: str = "fn", code: bytes | None = b"v2", **kw: object) -> FunctionSpec:
    return FunctionSpec(name, code_path=f"{name}.js" if code is not None else None, code=code, **kw)  # type: ignore[arg-type]


def manifest(*specs: FunctionSpec, stores: tuple[StoreSpec, ...] = ()) -> Manifest:
    return Manifest("cloudfront-functions.yml", specs, stores=stores)


def store(name: str = "cfg", data: dict[str, str] | None = None, **kw: object) -> StoreSpec:
    """A store owned by its data file (none: its keys are left as they are)."""
    return StoreSpec(name, data_path=f"{name}.json" if data is not None else None, data=data, **kw)  # type: ignore[arg-type]


def held(name: str = "cfg", keys: dict[str, str] | None = None, etag: str = "S1") -> StoreState:
    """A store as read from the account."""
    return StoreState(name, STORE, etag, keys or {})


def observed(
    stores: dict[str, str] | None = None, **stages: tuple[StageState | None, StageState | None]
) -> Observed:
    return Observed({n: FunctionState(n, dev, live) for n, (dev, live) in stages.items()}, stores or {})

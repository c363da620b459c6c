"""The plan of a connection function is the viewer function's plan: the same writes on the same ETags,
its state found under its own kind (a viewer function of the same name is another resource), and
its writes addressed by the Id the listing gave."""

from __future__ import annotations

import pytest

from publisher.core.model import FunctionState, Observed
from publisher.core.modes import Action, Kind, Mode, Ref
from publisher.core.plan import make_plan
from tests.factories import fn, manifest, stage

CONNECTION = Kind.CONNECTION_FUNCTION


def seen(dev: bytes | None, live: bytes | None, *, viewer: bytes | None = None) -> Observed:
    """`gate` as a connection function (Id cf-1) and, when given, a viewer function of the same name."""
    state = FunctionState("gate", stage(dev, "E1") if dev else None, stage(live, "E2") if live else None)
    connection = FunctionState(state.name, state.development, state.live, "cf-1" if dev else "")
    viewers = {"gate": FunctionState("gate", stage(viewer, "V1"), stage(viewer, "V2"))} if viewer else {}
    return Observed(viewers, connection_functions={"gate": connection})


@pytest.mark.parametrize(
    ("dev", "live", "actions", "if_match"),
    [
        (None, None, (Action.CREATE, Action.PUBLISH), [None, None]),
        (b"old", b"old", (Action.UPDATE, Action.PUBLISH), ["E1", None]),
        (b"new", b"old", (Action.PUBLISH,), ["E1"]),
        (b"new", b"new", (), []),
    ],
)
def test_the_writes_and_their_etags_are_a_viewer_functions(
    dev: bytes | None, live: bytes | None, actions: tuple[Action, ...], if_match: list[str | None]
) -> None:
    (fp,) = make_plan(manifest(fn("gate", code=b"new", kind=CONNECTION)), seen(dev, live)).functions
    assert (fp.kind, fp.ref) == (CONNECTION, Ref(CONNECTION, "gate"))
    assert fp.actions == actions
    assert [w.if_match for w in fp.writes] == if_match
    assert fp.address == ("cf-1" if dev else "")


def test_a_viewer_function_of_the_same_name_is_another_resource() -> None:
    specs = (fn("gate", code=b"new"), fn("gate", code=b"new", kind=CONNECTION))
    viewer, connection = make_plan(manifest(*specs), seen(None, None, viewer=b"new")).functions
    assert (viewer.ref, viewer.actions, viewer.address) == (Ref(Kind.FUNCTION, "gate"), (), "gate")
    assert (connection.ref, connection.actions) == (Ref(CONNECTION, "gate"), (Action.CREATE, Action.PUBLISH))


def test_the_mode_cuts_a_connection_functions_writes_as_any_others() -> None:
    observed = seen(b"old", b"old")
    (fp,) = make_plan(manifest(fn("gate", code=b"new", kind=CONNECTION)), observed, Mode.SYNC).functions
    assert fp.carried == (Action.UPDATE,)

"""The pure part of `import`: what to read, and the files that make a plan find nothing to change."""

from __future__ import annotations

import json

import pytest

from publisher.core.adopt import Account, Choice, _quoted, adopt, choose, data_file, slots
from publisher.core.manifest import parse
from publisher.core.model import Behaviour, Distribution, FunctionState, Stage
from publisher.core.stores import parse_data
from tests.factories import STORE, stage

MARKED = "cloudfront-publish preview pr1: throwaway copy of a"


def files(account: Account, choice: Choice | None = None) -> dict[str, bytes]:
    choice = choice or Choice()
    reads = {
        n: {a for st in (s.development, s.live) if st for a in st.config.key_value_store_arns}
        for n, s in account.functions.items()
    }
    chosen = choose(dict.fromkeys(account.functions, ""), reads, account.stores, choice)
    assert chosen.problems == ()
    return dict(adopt(account, chosen.functions, chosen.stores, choice).files)


def same(code: bytes, **cfg: str | None) -> FunctionState:
    return FunctionState("x", stage(code, "E1", **cfg), stage(code, "E2", **cfg))


def test_a_function_whose_stages_agree_keeps_code_runtime_comment_and_store_by_name() -> None:
    account = Account(
        {"a": same(b"\xff\r\nx", comment="ünï", runtime="cloudfront-js-2.0", store=STORE)}, {"flags": STORE}
    )
    out = files(account, Choice(stores=("flags",)))
    manifest, problems = parse(out["cloudfront-functions.yml"], "m.yml")
    assert problems == []
    (spec,) = manifest.functions
    assert (spec.name, spec.code_path, spec.runtime, spec.comment, spec.key_value_store) == (
        "a",
        "functions/a.js",
        "cloudfront-js-2.0",
        "ünï",
        "flags",
    )
    assert out["functions/a.js"] == b"\xff\r\nx"


def test_a_store_outside_the_listing_is_named_by_its_arn() -> None:
    out = files(Account({"a": same(b"x", store=STORE)}, {}))
    assert parse(out["cloudfront-functions.yml"], "m.yml")[0].functions[0].key_value_store == STORE


@pytest.mark.parametrize(
    ("dev", "live", "taken", "expected"),
    [
        (b"v2", b"v1", None, None),
        (b"v2", None, None, None),
        (b"v2", b"v1", Stage.LIVE, b"v1"),
        (b"v2", b"v1", Stage.DEVELOPMENT, b"v2"),
        (b"v2", None, Stage.LIVE, None),  # nothing LIVE to take
        (b"v2", None, Stage.DEVELOPMENT, b"v2"),
        (b"", b"", None, None),  # empty code: a manifest cannot hold it
    ],
)
def test_stages_that_differ(
    dev: bytes, live: bytes | None, taken: Stage | None, expected: bytes | None
) -> None:
    state = FunctionState("a", stage(dev, "E1"), stage(live, "E2") if live is not None else None)
    choice = Choice(stage=taken)
    chosen = choose({"a": ""}, {}, {}, choice)
    adoption = adopt(Account({"a": state}, {}), chosen.functions, chosen.stores, choice)
    out = dict(adoption.files)
    assert out.get("functions/a.js") == expected
    if expected is None:
        assert parse(out["cloudfront-functions.yml"], "m.yml")[0].functions[0].code_path is None
        assert adoption.notes and adoption.notes[0].startswith("a: a bare name; ")


def test_a_sensitive_store_gets_no_data_file_and_a_store_with_keys_gets_the_import_format() -> None:
    keys = {"k": 'v "1"', "ü": "日本"}
    account = Account(
        {"a": same(b"x")}, {"open": STORE, "secret": STORE + "2"}, {"open": keys}, {"open": "Ö #1"}
    )
    out = files(account, Choice(sensitive=frozenset({"secret"})))
    assert set(out) == {"cloudfront-functions.yml", "functions/a.js", "kvs/open.json"}
    assert parse_data(out["kvs/open.json"], "kvs/open.json") == (keys, [])
    stores = parse(out["cloudfront-functions.yml"], "m.yml")[0].stores
    assert [s.comment for s in stores] == ["Ö #1", ""]
    assert [(s.name, s.data_path, s.sensitive) for s in stores] == [
        ("open", "kvs/open.json", False),
        ("secret", None, True),
    ]


def test_a_filter_on_one_kind_brings_what_the_other_kind_needs() -> None:
    listed = dict.fromkeys(("a", "b", "c"), "")
    reads = {"a": {STORE}, "b": set(), "c": {STORE + "2"}}
    stores = {"s": STORE, "t": STORE + "2", "u": STORE + "3"}
    by_function = choose(listed, reads, stores, Choice(functions=("a",)))
    assert (by_function.functions, by_function.stores) == (("a",), ("s",))
    by_store = choose(listed, reads, stores, Choice(stores=("t",)))
    assert (by_store.functions, by_store.stores) == (("c",), ("t",))
    both = choose(listed, reads, stores, Choice(functions=("b",), stores=("u",)))
    assert (both.functions, both.stores) == (("b",), ("u",))
    assert choose(listed, reads, stores, Choice()).stores == ("s", "t", "u")


def test_an_empty_store_is_still_a_valid_data_file() -> None:
    assert json.loads(data_file({})) == {"data": []}
    assert parse_data(data_file({}), "x.json") == ({}, [])


def test_choose_refuses_unknown_names_and_throwaways_and_skips_throwaways_otherwise() -> None:
    listed = {"a": "", "a-preview-pr1": MARKED}
    stores = {"s": STORE}
    assert choose(listed, {}, stores, Choice()).functions == ("a",)
    refused = choose(
        listed,
        {},
        stores,
        Choice(functions=("ghost", "a-preview-pr1"), stores=("t",), sensitive=frozenset({"u"})),
    )
    assert refused.problems == (
        "no function `ghost` in the account",
        "`a-preview-pr1` is a throwaway preview copy, not imported",
        "no KeyValueStore `t` in the account",
        "--sensitive names no KeyValueStore in the account: `u`",
    )
    assert choose({}, {}, {}, Choice()).problems == (
        "a manifest needs at least one function, and there is none to import",
    )


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "yes",
        "null",
        "123",
        'a"b\\c',
        "tab\tnew\nline",
        "\x7f\x85\u2028\u2029\ufeff",
        "é 😀",
        "#: x",
        " ",
    ],
)
def test_quoted_text_reads_back_as_itself(text: str) -> None:
    manifest, problems = parse(
        f"functions:\n  - name: a\n    code: a.js\n    comment: {_quoted(text)}\n".encode(), "m"
    )
    assert problems == [] and manifest.functions[0].comment == text


def test_names_that_differ_only_in_case_are_written_and_noted() -> None:
    account = Account({"Edge": same(b"x"), "edge": same(b"y")}, {})
    chosen = choose(dict.fromkeys(account.functions, ""), {}, {}, Choice())
    adoption = adopt(account, chosen.functions, chosen.stores, Choice())
    assert dict(adoption.files)["functions/Edge.js"] == b"x"
    assert adoption.notes == (
        "functions/Edge.js, functions/edge.js differ only in case: a checkout on macOS or Windows keeps one of them",
    )


def test_connection_functions_get_their_own_section_code_folder_and_distributions() -> None:
    gate = same(b"function connectionHandler(c) { c.allow(); }", comment="mTLS", runtime="cloudfront-js-2.0")
    account = Account(
        {"gate": same(b"function handler(e) { return e.request; }")},
        {},
        connection_functions={"gate": gate},
        distributions={"gate": ("E1", "E2")},
    )
    chosen = choose({"gate": ""}, {}, {}, Choice(functions=("gate",)), ({"gate": "mTLS"}, {}))
    assert (chosen.functions, chosen.connection_functions, chosen.problems) == (("gate",), ("gate",), ())
    out = dict(adopt(account, chosen.functions, chosen.stores, Choice()).files)
    manifest, problems = parse(out["cloudfront-functions.yml"], "m.yml")
    assert problems == []
    viewer, connection = manifest.functions
    assert connection.kind.value == "connection-function"
    assert connection.code_path == "connection-functions/gate.js" != viewer.code_path
    assert [a.distribution for a in connection.associations or ()] == ["E1", "E2"]
    assert out["connection-functions/gate.js"] == b"function connectionHandler(c) { c.allow(); }"


def test_a_connection_function_whose_stages_differ_is_left_out_with_the_reason() -> None:
    differs = FunctionState("x", stage(b"function handler(c) { c.deny(); }", "E1"), None)
    account = Account(
        {"a": same(b"function handler(e) { return e.request; }")}, {}, connection_functions={"g": differs}
    )
    adoption = adopt(account, ("a",), (), Choice())
    assert "connection-functions:" not in dict(adoption.files)["cloudfront-functions.yml"].decode()
    assert any(n.startswith("connection function g: not imported; never published") for n in adoption.notes)


def test_a_name_of_either_kind_is_known_and_a_manifest_of_connection_functions_alone_is_enough() -> None:
    chosen = choose({}, {}, {}, Choice(functions=("g",)), ({"g": ""}, {}))
    assert (chosen.functions, chosen.connection_functions, chosen.problems) == ((), ("g",), ())
    assert choose({}, {}, {}, Choice(functions=("nope",)), ({"g": ""}, {})).problems == (
        "no function `nope` in the account",
    )


def test_tags_are_written_for_functions_bare_names_and_stores_and_read_back_as_they_were() -> None:
    tags = {"team": "a/b ü=c:@", "empty": ""}
    unpublished = FunctionState("b", stage(b"x", "E1"), None)
    account = Account(
        {"a": same(b"x"), "b": unpublished, "c": same(b"y")},
        {"flags": STORE},
        tags={"a": tags, "b": {"owner": "ana"}},
        store_tags={"flags": {"team": "web"}},
    )
    out = files(account)
    manifest, problems = parse(out["cloudfront-functions.yml"], "m.yml")
    assert problems == []
    assert {f.name: f.tags for f in manifest.functions} == {"a": tags, "b": {"owner": "ana"}, "c": None}
    assert [f.code_path for f in manifest.functions] == ["functions/a.js", None, "functions/c.js"]
    assert [s.tags for s in manifest.stores] == [{"team": "web"}]


def test_where_a_function_runs_becomes_its_associations_and_a_partial_listing_gives_none() -> None:
    site = Distribution(
        "E1",
        "d.example",
        "Deployed",
        True,
        behaviours=(
            Behaviour(None, "viewer-request", "arn:aws:cloudfront::1:function/a"),
            Behaviour("/api/*", "viewer-response", "arn:aws:cloudfront::1:function/a"),
        ),
    )
    account = Account({"a": same(b"x"), "b": same(b"y")}, {}, runs_on=slots([site]))
    manifest, problems = parse(files(account)["cloudfront-functions.yml"], "m.yml")
    assert problems == []
    a, b = manifest.functions
    assert [(s.distribution, s.path, s.event) for s in a.associations or ()] == [
        ("E1", "default", "viewer-request"),
        ("E1", "/api/*", "viewer-response"),
    ]
    assert b.associations is None  # runs nowhere: left unmanaged

    partial = Account(
        {"a": same(b"x")}, {}, runs_on=None, unscanned="tenant-only distributions were not listed"
    )
    chosen = choose({"a": ""}, {}, {}, Choice())
    adoption = adopt(partial, chosen.functions, chosen.stores, Choice())
    assert b"associations" not in dict(adoption.files)["cloudfront-functions.yml"]
    assert any("none is managed: tenant-only distributions were not listed" in n for n in adoption.notes)


def test_an_account_with_no_function_to_write_gives_no_files_and_says_why() -> None:
    differs = FunctionState("g", stage(b"function handler(c) { c.deny(); }", "E1"), None)
    adoption = adopt(Account({}, {}, connection_functions={"g": differs}), (), (), Choice())
    assert adoption.files == ()
    assert adoption.notes[-1] == "the account holds no function this import can write, so no manifest either"
    assert any(n.startswith("connection function g: not imported") for n in adoption.notes)

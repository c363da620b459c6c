"""The account's loose ends read over HTTP from the emulator with real boto3 (not wired into a run yet)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from emulator import Emulator
from publisher.shell.account import read_loose_ends
from publisher.shell.aws import AwsCloudFront
from tests.e2e.conftest import handler


def test_loose_ends_of_an_account_in_one_listing_pass(emu: Emulator) -> None:
    import boto3

    aws = boto3.client("cloudfront", endpoint_url=emu.url, region_name="us-east-1")
    used = aws.create_key_value_store(Name="used")["KeyValueStore"]["ARN"]
    aws.create_key_value_store(Name="idle")
    live = emu.seed_function("live", handler(), comment="live", publish=True)
    emu.seed_function("forgotten", handler(), comment="by hand", publish=True)
    emu.seed_function("reader", handler(), comment="reads", kvs_arn=used)
    emu.seed_function(
        "a-preview-pr3", handler(), comment="cloudfront-publish preview pr3: throwaway copy of a"
    )
    emu.seed_distribution(default_function_arns=[(live, "viewer-request")])
    emu.reset_counts()

    with ThreadPoolExecutor(4) as pool:
        found, warnings = read_loose_ends(AwsCloudFront(emu.url), {"reader"}, pool)

    assert warnings == []
    assert found.unattached == ("forgotten",)
    assert found.unused_stores == ("idle",)
    assert found.throwaways == ("a-preview-pr3",)
    assert (found.functions.used, found.stores.used) == (4, 2)
    assert emu.counts() == {
        "ListFunctions": 2,
        "ListKeyValueStores": 1,
        "ListDistributions": 1,
        "ListDistributionsByConnectionMode": 1,
    }

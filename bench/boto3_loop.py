"""A straightforward sequential boto3 loop: the same job as `publish`, one call after another.

Per function: describe and get DEVELOPMENT, compare with the local code and config, and if they
differ update, describe again for a fresh ETag, and publish; then one paginated scan of the
distributions for the ones that run these functions. One process, one client, no threads.
Usage: python -m bench.boto3_loop ENDPOINT_URL FUNCTIONS_TSV
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import boto3


def sync(client: Any, name: str, code: bytes, config: dict[str, str]) -> tuple[bool, str]:
    """Whether the function was published, and its ARN (the same for both stages)."""
    described = client.describe_function(Name=name, Stage="DEVELOPMENT")
    summary = described["FunctionSummary"]
    arn = str(summary["FunctionMetadata"]["FunctionARN"])
    current = client.get_function(Name=name, Stage="DEVELOPMENT")["FunctionCode"].read()
    if current == code and all(summary["FunctionConfig"].get(k) == v for k, v in config.items()):
        return False, arn
    client.update_function(Name=name, IfMatch=described["ETag"], FunctionCode=code, FunctionConfig=config)
    fresh = client.describe_function(Name=name, Stage="DEVELOPMENT")["ETag"]
    client.publish_function(Name=name, IfMatch=fresh)
    return True, arn


def users(client: Any, arns: set[str]) -> set[str]:
    found = set()
    for page in client.get_paginator("list_distributions").paginate(PaginationConfig={"PageSize": "100"}):
        for dist in page["DistributionList"].get("Items", []):
            behaviours = [dist["DefaultCacheBehavior"], *dist.get("CacheBehaviors", {}).get("Items", [])]
            for behaviour in behaviours:
                for item in behaviour.get("FunctionAssociations", {}).get("Items", []):
                    if item["FunctionARN"] in arns:
                        found.add(dist["Id"])
    return found


def main(endpoint: str, listing: Path) -> int:
    client = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1")
    published, arns = [], set()
    for line in listing.read_text().splitlines():
        name, path, comment, runtime = line.split("\t")
        changed, arn = sync(client, name, Path(path).read_bytes(), {"Comment": comment, "Runtime": runtime})
        published += [name] if changed else []
        arns.add(arn)
    print(f"published {len(published)}; {len(users(client, arns))} distributions run these functions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))

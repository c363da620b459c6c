"""The floor: the fewest API calls a run can make, and the least time its dependent round trips take.

Calls, and what each is for:
- ListFunctions per stage and page of 100: every function's config in bulk;
- GetFunction per function and stage: the code and the ETag;
- ListDistributions per page of 100, and ListDistributionsByConnectionMode (tenant-only, one page
  here): which cache behaviours run each function, for the report and the wait;
- ListKeyValueStores, one page: stores by name, and the account's counts and loose ends;
- per changed function, the four calls a correct publish needs: DescribeFunction of DEVELOPMENT (the
  plan's two reads are not one snapshot, so the ETag and config the write rests on are checked
  first) together with DescribeFunction of LIVE (the copy the backup must hold), then UpdateFunction,
  then PublishFunction on the ETag UpdateFunction answered;
- with associations, per distribution whose associations change: GetDistributionConfig (the config
  the write sends back whole, and its ETag), and, publishing, one UpdateDistribution.
Time: the process's own start-up, then the longest chain of round trips that wait for each other:
the distribution pages one after another (the tenant-only listing beside them), beside the reads
followed by the three round trips of that chain. The reads go out at once up to the calls a run keeps
in flight (`max-concurrency`, 16 by default, a cap against CloudFront's throttling that the
benchmark leaves as a user finds it): a run whose reads and listings exceed it needs a second wave.
With associations the configs are read once the scan has said where the functions run (one round
trip after it), and the distributions are written (one more) once both those reads and the publishes
they attach are done.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.scenario import Scenario

PAGE = 100
WRITE_CALLS = 4  # describe DEVELOPMENT and LIVE, update, publish
WRITE_CHAIN = 3  # round trips: the two describes together, update, publish
TENANT_LISTING = 1  # ListDistributionsByConnectionMode: one page in these scenarios
STORE_LISTING = 1  # ListKeyValueStores: one page in these scenarios
IN_FLIGHT = 16  # max-concurrency's default: the reads go out in waves of this many calls


def pages(items: int) -> int:
    return max(1, math.ceil(items / PAGE))


def calls(scenario: Scenario, writes: bool) -> int:
    reads = 2 * pages(scenario.n) + 2 * scenario.n + pages(scenario.d) + TENANT_LISTING + STORE_LISTING
    reads += scenario.attach_d  # GetDistributionConfig
    return reads + (WRITE_CALLS * scenario.k + scenario.attach_d if writes else 0)


def read_waves(scenario: Scenario) -> int:
    """Round trips for the reads a plan waits on: the functions' listings and code, the store listing,
    and the two distribution listings in flight beside them, at most IN_FLIGHT calls at once."""
    at_once = 2 * pages(scenario.n) + 2 * scenario.n + STORE_LISTING + TENANT_LISTING + 1
    return math.ceil(at_once / IN_FLIGHT)


def round_trips(scenario: Scenario, writes: bool) -> int:
    functions = read_waves(scenario) + (WRITE_CHAIN if writes and scenario.k else 0)
    scan = pages(scenario.d) + (1 if scenario.attach_d else 0)  # then the configs it points to
    return max(scan, functions) + (1 if writes and scenario.attach_d else 0)  # then UpdateDistribution


@dataclass(frozen=True)
class Service:
    """The emulator's own time per call at zero latency: what each round trip adds to the latency."""

    page: float  # ListDistributions, a page of 100
    read: float  # GetFunction
    write: float  # UpdateFunction, DescribeFunction, PublishFunction: the mean of the three

    def critical_path(self, scenario: Scenario, writes: bool, latency: float) -> float:
        """The pages one after another; the reads in waves of IN_FLIGHT, but no faster than the
        machine's CPUs can serve them (a call costs `read` of CPU, client and emulator together); then the writes."""
        scan = pages(scenario.d) * (latency + self.page)
        scan += (latency + self.write) if scenario.attach_d else 0  # the configs, read at once
        reads = 2 * pages(scenario.n) + 2 * scenario.n
        functions = read_waves(scenario) * latency + max(self.read, reads * self.read / (os.cpu_count() or 1))
        functions += WRITE_CHAIN * (latency + self.write) if writes and scenario.k else 0
        attach = (latency + self.write) if writes and scenario.attach_d else 0  # UpdateDistribution
        return max(scan, functions) + attach


def calibrate(client: Any, name: str, repeats: int = 5) -> Service:
    """Times one call of each kind against an emulator set to zero latency (it changes `name`)."""

    def timed(call: Callable[[], object]) -> float:
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            call()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    def write_cycle() -> None:
        described = client.describe_function(Name=name, Stage="DEVELOPMENT")
        etag, summary = described["ETag"], described["FunctionSummary"]
        code = client.get_function(Name=name, Stage="DEVELOPMENT")["FunctionCode"].read()
        config = {k: summary["FunctionConfig"][k] for k in ("Comment", "Runtime")}
        client.update_function(Name=name, IfMatch=etag, FunctionCode=code, FunctionConfig=config)
        etag = client.describe_function(Name=name, Stage="DEVELOPMENT")["ETag"]
        client.publish_function(Name=name, IfMatch=etag)

    def read_code() -> bytes:
        return bytes(client.get_function(Name=name, Stage="DEVELOPMENT")["FunctionCode"].read())

    page = timed(lambda: client.list_distributions(MaxItems=str(PAGE)))
    read = timed(read_code)
    cycle = timed(write_cycle)  # five calls: three reads of DEVELOPMENT, update and publish
    return Service(page=page, read=read, write=max(0.0, (cycle - 3 * read) / 2))

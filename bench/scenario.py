"""Scenarios, generated: N functions, K of them changed, D distributions running them.

A scenario lays out the account on an emulator (functions published, distributions whose default
and ordered cache behaviours run them) and a workspace whose manifest asks for K new versions. With
`attach_d`, the first `attach_d` distributions run nothing yet and every function of the manifest
lists one association on one of them: function i on distribution i mod attach_d, behaviour
/a<i div attach_d>/*, viewer-request (issue 21's N = 20 over D = 5: four functions per distribution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import boto3

from emulator import Emulator

RUNTIME = "cloudfront-js-2.0"
LATENCY = 0.04  # seconds: a round trip from a CI runner to CloudFront's API


@dataclass(frozen=True)
class Scenario:
    n: int  # functions in the manifest (and the account)
    changed_pct: int  # how many of them the manifest changes, in percent
    d: int  # distributions in the account
    latency: float = LATENCY
    rate_limit: float | None = None
    peers: bool = True  # run the AWS CLI loop here (it neither diffs nor scans: it depends on N alone)
    attach_d: int = 0  # distributions every function is attached across (0: no associations)

    @property
    def k(self) -> int:
        return math.ceil(self.n * self.changed_pct / 100)

    @property
    def label(self) -> str:
        rate = f", {self.rate_limit:g} req/s" if self.rate_limit else ""
        attach = f", attached over {self.attach_d}" if self.attach_d else ""
        return f"N={self.n}, K={self.changed_pct}% ({self.k}), D={self.d:,}{rate}{attach}"

    def name(self, i: int) -> str:
        return f"fn-{i:03d}"

    def attached_to(self, i: int) -> tuple[str, str]:
        """The distribution Id and path pattern function i is attached to."""
        return attach_id(i % self.attach_d), f"/a{i // self.attach_d}/*"

    @property
    def attach_paths(self) -> list[str]:
        return [f"/a{j}/*" for j in range(math.ceil(self.n / self.attach_d))] if self.attach_d else []


def attach_id(d: int) -> str:
    return f"EATTACH{d:03d}"


def code(name: str, version: int) -> bytes:
    """A realistic small viewer-request function, different per name and version."""
    return (
        "function handler(event) {\n"
        "    var request = event.request;\n"
        "    var host = request.headers.host ? request.headers.host.value : '';\n"
        f"    request.headers['x-function'] = {{ value: '{name}' }};\n"
        f"    request.headers['x-version'] = {{ value: '{version}' }};\n"
        "    if (host.indexOf('www.') !== 0 && host !== '') {\n"
        "        return { statusCode: 301, statusDescription: 'Moved Permanently',\n"
        "                 headers: { location: { value: 'https://www.' + host + request.uri } } };\n"
        "    }\n"
        "    return request;\n"
        "}\n"
    ).encode()


def comment(name: str) -> str:
    return f"bench {name}"


@dataclass
class Layout:
    """The account an emulator holds for a scenario; `reset` puts its functions back between runs."""

    scenario: Scenario
    emulator: Emulator

    def seed(self) -> None:
        arns = [self._seed_function(i) for i in range(self.scenario.n)]
        for d in range(self.scenario.attach_d):  # running nothing yet: the run attaches
            paths: list[tuple[str, list[tuple[str, str]]]] = [(p, []) for p in self.scenario.attach_paths]
            self.emulator.seed_distribution(id=attach_id(d), behaviours=paths)
        for d in range(self.scenario.attach_d, self.scenario.d):
            self.emulator.seed_distribution(
                domain=f"d{d:06d}.cloudfront.net",
                default_function_arns=[(arns[d % len(arns)], "viewer-request")],
                behaviours=_behaviours(d, arns),
            )

    def reset(self) -> None:
        for i in range(self.scenario.n):
            self._seed_function(i)
        if self.scenario.attach_d:
            self._detach_all()

    def _detach_all(self) -> None:
        """The attach distributions back to running nothing, as a second writer would (uncounted:
        the tap counts from the start of each run)."""
        client = boto3.client(
            "cloudfront",
            endpoint_url=self.emulator.url,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        for d in range(self.scenario.attach_d):
            got = client.get_distribution_config(Id=attach_id(d))
            config = got["DistributionConfig"]
            for b in [config["DefaultCacheBehavior"], *config["CacheBehaviors"].get("Items", [])]:
                b["FunctionAssociations"] = {"Quantity": 0}
            client.update_distribution(Id=attach_id(d), IfMatch=got["ETag"], DistributionConfig=config)

    def _seed_function(self, i: int) -> str:
        name = self.scenario.name(i)
        return self.emulator.seed_function(
            name, code(name, 1), runtime=RUNTIME, comment=comment(name), publish=True
        )


def _behaviours(d: int, arns: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Ordered behaviours for one distribution in three, a second one for one in five."""
    found = []
    if d % 3 == 0:
        found.append(("/api/*", [(arns[(7 * d + 3) % len(arns)], "viewer-response")]))
    if d % 5 == 0:
        found.append(("/static/*", [(arns[(11 * d + 1) % len(arns)], "viewer-request")]))
    return found


def write_workspace(scenario: Scenario, root: Path) -> Path:
    """The manifest (K functions at version 2), its code files, and the list the loops read."""
    root.mkdir(parents=True, exist_ok=True)
    lines, rows = ["defaults:", f"  runtime: {RUNTIME}", "functions:"], []
    for i in range(scenario.n):
        name = scenario.name(i)
        path = root / f"{name}.js"
        path.write_bytes(code(name, 2 if i < scenario.k else 1))
        lines += [f"  - name: {name}", f"    code: {name}.js", f"    comment: {comment(name)}"]
        if scenario.attach_d:
            dist, pattern = scenario.attached_to(i)
            lines += [
                "    associations:",
                f"      - {{distribution: {dist}, path: '{pattern}', event: viewer-request}}",
            ]
        rows.append("\t".join((name, str(path), comment(name), RUNTIME)))
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n")
    (root / "functions.tsv").write_text("\n".join(rows) + "\n")
    return root

"""A local CloudFront control plane for the project's tests, demo and benchmarks.

moto's server mode serves CloudFront over real HTTP; the emulator keeps it for what moto does well
(distributions, KeyValueStores, tags, invalidations) and replaces or extends it where moto falls
short of the service:

- CloudFront Functions with two stages, each with its own code, config and ETag; 412 on a stale
  If-Match, 400 on a missing one; UpdateFunction's ETag sent as the service does (see responses.py);
  PublishFunction without ETag, redeploying every distribution that runs the function.
- TestFunction runs the code in node (runtime.py, runtime/harness.js).
- Distributions keep their FunctionAssociations, change ETag on every change, stay InProgress for
  `deploy_delay` seconds, page by Id (NextMarker is the last Id of the page), and can be listed by
  connection mode.
- A middleware counts every request by operation and adds latency, a rate limit and faults.
- CloudWatch (moto's, one per emulator) serves the CloudFront Functions metrics; a test makes a
  function "fail at the edge" with `record_function_metrics` (metrics.py), and GetMetricData sums
  the data points per period from a StartTime rounded as the API reference says.

docs/emulator-compatibility.md lists each behaviour and switch with its public source; keep the
two consistent.

Choices where AWS documents nothing:
- A missing `Stage` (Describe, Get, Test) means LIVE once the function is published, DEVELOPMENT
  before, so a careless client writes with the wrong ETag and meets a 412 (functions.py).
- ListFunctions without `Stage` lists both stages of each published function.
- Publishing gives DEVELOPMENT a new ETag too (field reports), so a repeated publish meets a 412.
  `publish_renews_development_etag=False` keeps DEVELOPMENT's ETag instead.
- `refuse_unchanged_publish=True` plays the field report of Terraform AWS provider issue #49572:
  PublishFunction answers 412 to the current DEVELOPMENT ETag (which UpdateFunction accepts) of a
  function whose DEVELOPMENT already equals LIVE. Off by default.
- A Marker that names no distribution (one deleted between pages included) answers 400
  InvalidArgument, the one error the model declares for these listings.
- Plain ListDistributions leaves tenant-only distributions out; only
  ListDistributionsByConnectionMode(tenant-only) lists them.
- A name or runtime outside the model's constraints answers 400 MalformedXML, "N validation errors
  detected: ..." (field reports; the model declares no such error); the other checks of input
  answer InvalidArgument.
- TestFunction answers InvalidIfMatchVersion to a stale If-Match (no PreconditionFailed is modelled).
- CreateDistribution and UpdateDistribution refuse a function that is not published
  (InvalidFunctionAssociation); seeding does not check, so benchmarks can lay out in any order.
- A distribution keeps ViewerMtlsConfig and ConnectionFunctionAssociation; an association needs
  viewer mTLS with a trust store (InvalidArgument) and a published connection function
  (InvalidFunctionAssociation); `seed_distribution(viewer_mtls=...)` makes one with viewer mTLS.
- A change keeps its distributions InProgress for `deploy_delay` seconds, 1 by default, so a
  GetDistribution right after a publish sees the redeploy; AWS takes minutes. `deploy_delay=0` means
  a change is Deployed at once, even in the answer to the change itself.

The KeyValueStore data API (kvs.py) is served on the same port, routed by path before moto's
dispatcher, on the keys `cf.kvs()` reads. Choices where AWS documents nothing:
- The Host header is not looked at: botocore calls `<account id>.<endpoint host>`, which a client must
  resolve to the emulator (the tests patch name resolution in their own process; tests/e2e/test_stores.py).
- A seed (`seed_kvs_data`) renews the store's ETag, as a write by someone else would.
- ListKeys pages keys in sorted order; NextToken is an opaque index.

TestFunction runs the code in njs where it is installed, else in node (runtime.py, njs.py,
runtime/njs-harness.js, runtime/harness.js; `runtime.engine()` names the one that runs):
- The engine compiles the code: a SyntaxError is the engine's own ("SyntaxError: Unexpected token
  ... in cloudfront-function.js:LINE"), answered 200 with FunctionErrorMessage as any script error
  is; the exact text CloudFront gives is not documented. The product's runtime check is never asked:
  where it and njs disagree, tests/emulator/test_engine.py shows it. Both engines run the code in
  strict mode, as CloudFront does: an implicit global is a ReferenceError.
- Only the documented globals and modules: 1.0's String byte methods and byte-string digests, 2.0's
  Buffer, `buffer` module and Buffer digests; no timers, `process`, Intl, Proxy or WebAssembly.
- Logs are cut at 10,240 bytes ("truncated at 10 KB"). A function still running after 1 s of CPU
  (njs; 1 s of wall clock in node) is stopped with an error and scores 100. njs runs with a data
  segment of 64 MB (it frees nothing until a run ends, and the handler is called again to time
  it); node's heap is bounded at 64 MB: CloudFront's 2 MB cannot be set per function in either.
- ComputeUtilization is the handler's time over an allowed time of 1.15 times a 40,000-iteration
  reference loop in the same engine on the same machine, both in CPU time: in njs, the difference
  between a run that repeats the handler and the cheaper of two plain runs, over the repeats (so
  the process's start-up is not counted); in node, the fastest of five runs. Figures still vary by some tens of
  percent between runs (see `compute_utilization`).
"""

from __future__ import annotations

from emulator.server import Emulator, start

__all__ = ["Emulator", "start"]

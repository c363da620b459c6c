"""CloudFront's names and limits, each written once; the manifest, the plan, rollback, the settings
and the report import them from here.

- Runtimes: API FunctionConfig.Runtime (cloudfront-js-1.0 | cloudfront-js-2.0); only 2.0 may read a
  KeyValueStore (Developer Guide, "Associate a KeyValueStore with a function").
- Names: API CreateFunction and CreateKeyValueStore, Name `[a-zA-Z0-9-_]{1,64}`.
- Comments: API FunctionConfig.Comment and CreateKeyValueStore's Comment, 0 to 128 characters.
- Code: 10 KB per function, the service quota (Developer Guide, "Quotas"), not the model's 40,960.
"""

from __future__ import annotations

from typing import Literal

RUNTIMES = ("cloudfront-js-1.0", "cloudfront-js-2.0")  # the manifest's choices, and the language check's
Runtime = Literal["cloudfront-js-1.0", "cloudfront-js-2.0"]  # RUNTIMES as a type; a test holds them equal
DEFAULT_RUNTIME = "cloudfront-js-2.0"  # a function created with no runtime named
STORE_RUNTIME = "cloudfront-js-2.0"  # the only runtime that may read a KeyValueStore
CONNECTION_RUNTIME = (
    "cloudfront-js-2.0"  # a connection function's only runtime (DG "Create connection functions")
)
NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"  # a function's name and a store's
COMMENT_LIMIT = 128  # characters
CODE_LIMIT = 10_240  # bytes

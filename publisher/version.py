"""The version of cloudfront-publish, written in this one place.

pyproject.toml reads it (`[tool.setuptools.dynamic]`), the Dockerfile's `VERSION` build argument
defaults to it (a test keeps the two in step), and the release workflow refuses a tag `vX.Y.Z` that
does not match it.
"""

__version__ = "0.1.0"

"""Signed material out of the AWS SDK's debug log, whoever turns that log on.

At DEBUG, botocore logs each signed request whole: the session token (a header, and a line of the
canonical request), the Authorization header with its credential and signature, and the signature on
its own line; and each KeyValueStore value in a body, since a store's values may be secrets. The publisher never turns that log on, but a user may (`boto3.set_stream_logger`), and
the token is a credential: every record from the SDK's loggers is rewritten before a handler sees it.
"""

from __future__ import annotations

import ast
import json
import logging
import re

SDK_LOGGERS = ("botocore", "boto3", "urllib3")
HIDDEN = "[redacted]"
_SIGNED = re.compile(
    r"(?i)((?:authorization|x-amz-security-token)['\"]?\s*[:=]\s*b?['\"]?)[^'\"\r\n]+"  # a header's value
    r"|(signature[=:]\s*)[0-9a-f]{64}"  # a SigV4 signature, in the header or on its own line
)


# A KeyValueStore's values, in the bodies botocore logs (request params, JSON bodies, responses): a
# store may be `sensitive`, and its old values are in ListKeys' answer before the run knows them.
# A body is logged as a bytes literal holding JSON, so its strings are escaped twice (`\\"` for a
# quote): a pattern cannot tell where such a value ends. Each bytes literal is read back, parsed, its
# values replaced, and written again; what cannot be parsed is hidden whole. Strings escaped once (a
# dict's repr, JSON text) are matched by the pattern.
_BYTES = re.compile(r"""(?<!\w)b(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")""")
_VALUES = re.compile(r"""(["']Value["']\s*:\s*)(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')""")


def redact(text: str) -> str:
    if "Value" in text:
        text = _BYTES.sub(_body, text)
        text = _VALUES.sub(lambda m: f'{m.group(1)}"{HIDDEN}"', text)
    return _SIGNED.sub(lambda m: (m.group(1) or m.group(2)) + HIDDEN, text)


def _body(found: re.Match[str]) -> str:
    literal = found.group(0)
    if '"Value"' not in literal and '\\"Value\\"' not in literal:  # no JSON member named Value
        return literal
    try:
        body = ast.literal_eval(literal)
        document = json.loads(body)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return repr(HIDDEN.encode())  # a body that is not whole JSON (cut short, or another format)
    return repr(json.dumps(_hide_values(document)).encode())


def _hide_values(value: object) -> object:
    if isinstance(value, dict):
        return {k: HIDDEN if k == "Value" else _hide_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hide_values(v) for v in value]
    return value


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


_FILTER = Redact()


def install() -> None:
    """On every SDK logger that exists now, which after a client is made includes all that sign or send
    (a filter on a logger sees only the records logged to that logger, not its children's)."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in SDK_LOGGERS]
    for name in [*SDK_LOGGERS, *names]:
        logging.getLogger(name).addFilter(_FILTER)  # adding the same filter twice keeps one

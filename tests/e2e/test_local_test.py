"""`cloudfront-publish test` and `mode: test`, run as real processes: every case in njs, no AWS call.

The emulator is only the witness: AWS_ENDPOINT_URL points at it, and it must count no request.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("njs") is None, reason="`test` runs the cases in njs")
EVENT = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.1"},
    "request": {"method": "GET", "uri": "/old", "querystring": {}, "headers": {}, "cookies": {}},
}


def run(
    root: Path, emu: Emulator, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "INPUT_"))}
    environ["AWS_ENDPOINT_URL"] = emu.url  # were anything to call AWS, the witness would count it
    emu.reset_counts()
    return subprocess.run(
        [sys.executable, "-m", "publisher", *argv],
        cwd=root,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write(root: Path, functions: dict[str, tuple[str, str]], extra: str = "") -> None:
    """functions: name -> (code, runtime); each gets one case on event.json."""
    (root / "event.json").write_text(json.dumps(EVENT))
    lines = ["functions:"]
    for name, (code, runtime) in functions.items():
        (root / f"{name}.js").write_text(code)
        lines.append(
            f"  - name: {name}\n    code: {name}.js\n    runtime: {runtime}\n"
            f"    tests:\n      - name: case\n        event: event.json"
        )
    (root / "cloudfront-functions.yml").write_text("\n".join(lines) + "\n" + extra)


@pytest.fixture
def emu() -> object:
    from emulator import start

    server = start()
    yield server
    server.stop()


def test_the_examples_pass_locally_with_no_credentials_and_no_call(emu: Emulator, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    done = run(tmp_path / "examples", emu, "test", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["mode"] == "test"
    tests = [t for f in result["functions"] for t in f["tests"]]
    assert len(tests) == 5 and all(t["passed"] and t["engine"].startswith("njs ") for t in tests)
    assert any("not in CloudFront" in w for w in result["warnings"])
    assert emu.counts() == {}


def test_bad_code_fails_its_own_case_within_the_bounds(emu: Emulator, tmp_path: Path) -> None:
    v2 = "cloudfront-js-2.0"
    write(
        tmp_path,
        {
            "loops": ("function handler(e) { console.log('start'); while (true) {} }", v2),
            "allocates": ("function handler(e) { var a = []; while (true) { a.push('x' + a.length); } }", v2),
            "throws": ("function handler(e) { throw new TypeError('boom'); }", v2),
            "implicit": ("function handler(e) {\n  req = e.request;\n  return req;\n}", "cloudfront-js-1.0"),
            "fine": ("function handler(e) { return e.request; }", v2),
        },
    )
    started = time.monotonic()
    done = run(tmp_path, emu, "test", "--json")
    assert time.monotonic() - started < 10  # four bad cases, each stopped within a second, beside one another
    assert done.returncode == 1, done.stderr
    error = {f["name"]: f["tests"][0]["error"] for f in json.loads(done.stdout)["functions"]}
    logs = {f["name"]: f["tests"][0]["logs"] for f in json.loads(done.stdout)["functions"]}
    assert logs["loops"] == ["start"]  # written before it was stopped
    assert error == {
        "loops": "The function exceeded the maximum allowed compute time.",
        "allocates": "The function exceeded the maximum allowed memory.",
        "throws": "TypeError: boom",
        "implicit": 'ReferenceError: "req" is not defined',  # strict mode, as in CloudFront
        "fine": "",
    }
    assert "Traceback" not in done.stderr and emu.counts() == {}


STORE = """
key-value-stores:
  - name: redirects
    data: redirects.json
"""
KVS_CODE = """import cf from 'cloudfront';
import crypto from 'crypto';
import querystring from 'querystring';
const kvs = cf.kvs();
async function handler(event) {
    const target = await kvs.get(event.request.uri);
    const missing = await kvs.exists('/nowhere');
    const hash = crypto.createHash('sha256').update('a').digest();
    return {statusCode: 302, headers: {
        location: {value: target},
        'x-probe': {value: [missing, Buffer.isBuffer(hash), querystring.stringify({a: 1})].join(' ')}}};
}
"""
V1_CODE = """function handler(event) {
    var crypto = require('crypto');
    var digest = crypto.createHash('md5').update('a').digest();
    var bytes = 'caf\\u00e9'.toUTF8();
    event.request.headers['x-probe'] = {value: [typeof digest, digest.length, bytes.length, typeof Buffer].join(' ')};
    return event.request;
}
"""


def test_the_store_data_file_and_the_helper_modules_answer(emu: Emulator, tmp_path: Path) -> None:
    write(tmp_path, {"kvs": (KVS_CODE, "cloudfront-js-2.0"), "bytes": (V1_CODE, "cloudfront-js-1.0")}, STORE)
    manifest = (tmp_path / "cloudfront-functions.yml").read_text()
    manifest = manifest.replace("    code: kvs.js\n", "    code: kvs.js\n    key-value-store: redirects\n")
    kvs_expect = (
        "\n        expect:\n          response.headers.location.value: /new"
        "\n          response.headers.x-probe.value: false true a=1"
    )
    bytes_expect = "\n        expect:\n          request.headers.x-probe.value: string 16 5 undefined"
    first, second = manifest.split("event: event.json", 2)[:2], manifest.split("event: event.json", 2)[2]
    manifest = (
        first[0] + "event: event.json" + kvs_expect + first[1] + "event: event.json" + bytes_expect + second
    )
    (tmp_path / "cloudfront-functions.yml").write_text(manifest)
    (tmp_path / "redirects.json").write_text(json.dumps({"data": [{"key": "/old", "value": "/new"}]}))
    done = run(tmp_path, emu, "test", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert emu.counts() == {}


def test_the_report_says_it_ran_locally(emu: Emulator, tmp_path: Path) -> None:
    write(tmp_path, {"a": ("function handler(e) { return e.request; }", "cloudfront-js-2.0")})
    done = run(tmp_path, emu, "test")
    assert done.returncode == 0, done.stderr
    assert "test pass: case (in njs " in done.stdout and "not CloudFront" in done.stdout
    assert "Tested locally: 1 of 1 cases passed in 1 functions, with no call to AWS." in done.stdout
    assert "utilization" not in done.stdout.split("Tested locally")[0]


def test_without_njs_one_line_says_how_to_install_it_and_what_is_skipped(
    emu: Emulator, tmp_path: Path
) -> None:
    write(tmp_path, {"a": ("function handler(e) { return e.request; }", "cloudfront-js-2.0")})
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sh").symlink_to("/bin/sh")
    done = run(tmp_path, emu, "test", env={"PATH": str(bin_dir)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: njs is not installed")
    assert "apt-get install njs" in lines[0] and "no test case runs" in lines[0]


def test_the_action_runs_mode_test(emu: Emulator, tmp_path: Path) -> None:
    write(tmp_path, {"a": ("function handler(e) { return e.request; }", "cloudfront-js-2.0")})
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "github-output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "github-summary.md"),
        "INPUT_MODE": "test",
    }
    done = run(tmp_path, emu, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"mode": "test"' in (tmp_path / "github-output").read_text().replace('\\"', '"')
    summary = (tmp_path / "github-summary.md").read_text()
    assert "Tested locally: 1 of 1 cases passed" in summary and "not measured (njs " in summary
    assert emu.counts() == {}


def test_a_signal_ends_the_run_promptly(emu: Emulator, tmp_path: Path) -> None:
    loop = "function handler(e) { while (true) {} }"
    write(tmp_path, {f"f{i}": (loop, "cloudfront-js-2.0") for i in range(40)})
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "INPUT_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "test"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)  # loaded, and the first cases are running
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    out, err = process.communicate(timeout=20)
    assert time.monotonic() - started < 3, err
    assert process.returncode == 1
    assert "not run: the run was cancelled" in out

"""The file system: the manifest and the code, events and data files it names (confined to the
workspace), the paths the settings name, and the folder a run's backups are written to (every kind's,
each file naming its Kind; shell/backups.py reads them back)."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from publisher.core.distribution_config import CONNECTION_SLOT, SlotChange, behaviours, shown_path
from publisher.core.document import load_json
from publisher.core.errors import InputError, Problem
from publisher.core.limits import CODE_LIMIT
from publisher.core.manifest import (
    FunctionSpec,
    Manifest,
    TestCase,
    check_connection,
    check_event,
    language_problems,
    parse,
)
from publisher.core.model import DistributionConfig, StageState
from publisher.core.modes import Kind
from publisher.core.rollback import BACKUP_STAGE, RETIRE
from publisher.core.stores import STORE_LIMIT, StoreSpec, StoreState, parse_data
from publisher.core.stores import shown as shown_value
from publisher.core.tags import TagChange

EVENT_FILE_LIMIT = 1_048_576
DATA_FILE_LIMIT = 2 * STORE_LIMIT  # a full store's keys and values, and the JSON around them


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def load_manifest(self, name: str) -> Manifest:
        """Parse the manifest and read every file it names; every problem is reported at once."""
        path, problem = self.inside(name, Path.cwd())
        if problem:
            raise InputError([Problem(name, None, "manifest", problem)])
        data, problem = _read(path, 1_048_576, name)
        if data is None:
            raise InputError([Problem(name, None, "manifest", problem)])
        manifest, problems = parse(data, name)
        specs = [self._resolve(spec, path.parent, name, problems) for spec in manifest.functions]
        warnings: list[str] = []
        for i, spec in enumerate(specs):
            if spec.code is not None and spec.code_path is not None:
                shown = os.path.relpath(path.parent / spec.code_path, self.root)
                specs[i], found, warned = language_problems(spec, shown)
                problems += found
                warnings += warned
        stores = tuple(self._store(store, path.parent, name, problems) for store in manifest.stores)
        if problems:
            raise InputError(sorted(problems, key=lambda p: (p.file != name, p.file, p.line or 0)))
        return Manifest(manifest.file, tuple(specs), tuple(warnings), stores)

    def _store(self, spec: StoreSpec, base: Path, file: str, problems: list[Problem]) -> StoreSpec:
        """A store's data file, inside the workspace, in CloudFront's import format and within its limits."""
        if spec.data_path is None:
            return spec
        path, problem = self.inside(spec.data_path, base)
        data, problem = (None, problem) if problem else _read(path, DATA_FILE_LIMIT, spec.data_path)
        if data is None:
            problems.append(Problem(file, spec.line("data"), f"{spec.name}.data", problem))
            return spec
        found, wrong = parse_data(data, os.path.relpath(path, self.root))
        problems += wrong
        return dataclasses.replace(spec, data=found)

    def _resolve(self, spec: FunctionSpec, base: Path, file: str, problems: list[Problem]) -> FunctionSpec:
        code = None
        if spec.code_path is not None:
            code = self._code(spec, base, file, problems)
        tests = tuple(self._event(spec, t, base, file, problems) for t in spec.tests)
        return dataclasses.replace(spec, code=code, tests=tests)

    def _code(self, spec: FunctionSpec, base: Path, file: str, problems: list[Problem]) -> bytes | None:
        where = Problem(file, spec.line("code"), f"{spec.name}.code", "")
        path, problem = self.inside(spec.code_path or "", base)
        data, problem = (None, problem) if problem else _read(path, CODE_LIMIT, spec.code_path or "")
        if data == b"":
            data, problem = None, f"`{spec.code_path}` is empty"
        if data is None:
            problems.append(dataclasses.replace(where, message=problem))
        return data

    def _event(
        self, spec: FunctionSpec, test: TestCase, base: Path, file: str, problems: list[Problem]
    ) -> TestCase:
        if isinstance(test.event, dict):
            return test
        connection = spec.kind is Kind.CONNECTION_FUNCTION
        field = f"{spec.name}.tests.{test.name}.{'connection' if connection else 'event'}"
        path, problem = self.inside(test.event, base)
        data, problem = (None, problem) if problem else _read(path, EVENT_FILE_LIMIT, test.event)
        event: Any = None
        if data is not None:
            doc, wrong = load_json(data, test.event)
            event = None if doc is None else doc.value
            problem = (
                f"{test.event} is not JSON: {wrong[0].message.removeprefix('not valid JSON: ')}"
                if wrong
                else ""
            )
        if event is not None and not isinstance(event, dict):
            problem = f"{test.event} must hold a JSON object"
        check = check_connection if connection else check_event
        found = check(event) if isinstance(event, dict) else [problem]
        problems.extend(Problem(file, test.line, field, m) for m in found)
        return dataclasses.replace(test, event=event if isinstance(event, dict) else {})

    def inside(self, name: str, base: Path) -> tuple[Path, str]:
        """A path the manifest names, refused if it is absolute or leads out of the workspace."""
        if not name or PurePosixPath(name).is_absolute() or Path(name).is_absolute():
            return Path(), f"`{name}` must be a path relative to the manifest"
        if "\0" in name:
            shown = name.replace("\0", "\\0")
            return Path(), f"`{shown}` holds a NUL character"
        try:
            path = (base / name).resolve()
        except (OSError, RuntimeError) as err:  # a symlink loop: RuntimeError before Python 3.13
            return Path(), f"`{name}` cannot be resolved: {err}"
        if not path.is_relative_to(self.root):
            return Path(), f"`{name}` leads out of the workspace"
        return path, ""

    def setting_path(self, value: str, field: str, source: str, *, confined: bool) -> Path:
        """A path a setting names, relative to the working directory. Confined (the Action, whose
        container keeps only the workspace) it must lie inside the workspace; else anywhere."""
        path = (Path.cwd() / value).resolve()
        if confined and not path.is_relative_to(self.root):
            reason = "outside the workspace, which is all a container action keeps"
            raise InputError([Problem(source, None, field, f"`{value}` is {reason}", in_file=False)])
        return path


class BackupFolder:
    """One run's folder of LIVE copies, created on the first save: `<function>.LIVE.<etag>.js` + `.json`."""

    def __init__(self, folder: Path, shown: str, replaced_by: str = "") -> None:
        self.folder, self.shown = folder, shown
        self.replaced_by = replaced_by  # "rollback": a rollback from this folder passes these over

    def for_rollback(self) -> BackupFolder:
        """The same folder, for the LIVE copies a rollback replaces."""
        return BackupFolder(self.folder, self.shown, "rollback")

    def file(self, shown: str) -> Path:
        """Where a backup this folder saved (its path as shown) lies."""
        return self.folder / Path(shown).name

    def save(self, function: str, live: StageState, kind: Kind = Kind.FUNCTION) -> str:
        """Write the LIVE code and config about to be replaced; returns the code file's path as shown.
        A connection function's files say so in their name too (`<name>.CONNECTION-LIVE.<etag>`), so
        one that shares a viewer function's name never overwrites its backup."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"{function}.{BACKUP_STAGE[kind]}.{_safe(live.etag)}"
        (self.folder / f"{stem}.js").write_bytes(live.code)
        config = {
            "Kind": kind.value,
            "Name": function,
            "ETag": live.etag,
            "FunctionARN": live.arn,
            "Comment": live.config.comment,
            "Runtime": live.config.runtime,
            "KeyValueStoreARNs": list(live.config.key_value_store_arns),
        }
        if self.replaced_by:
            config["ReplacedBy"] = self.replaced_by
        (self.folder / f"{stem}.json").write_text(json.dumps(config, indent=2) + "\n")
        return f"{self.shown}/{stem}.js"

    def save_retired(self, function: str, live: StageState, kind: Kind = Kind.FUNCTION) -> str:
        """A retired function's LIVE, marked `ReplacedBy: retire`: a rollback from it creates the
        function again, where a rollback of any other backup only restores one that exists."""
        return BackupFolder(self.folder, self.shown, RETIRE).save(function, live, kind)

    def save_store(
        self, name: str, state: StoreState, replaced: dict[str, str], added: list[str], sensitive: bool
    ) -> str:
        """`<store>.KVS.<etag>.json`: the keys an UpdateKeys is about to replace or delete, with the values
        they held, and the keys it is about to add; `rollback` puts the first back and deletes the
        second. A sensitive store's file holds hashes instead: its values are written nowhere, and the
        data file's history is where they come back from."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name_on_disk = f"{name}.KVS.{_safe(state.etag)}.json"
        saved = {
            "Kind": Kind.KEY_VALUE_STORE.value,
            "Name": name,
            "KvsARN": state.arn,
            "ETag": state.etag,
            "Sensitive": sensitive,
            "Keys": [{"key": k, "value": shown_value(v, sensitive)} for k, v in sorted(replaced.items())],
            "Added": added,
        }
        if self.replaced_by:
            saved["ReplacedBy"] = self.replaced_by
        (self.folder / name_on_disk).write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
        return f"{self.shown}/{name_on_disk}"

    def save_tags(self, kind: Kind, name: str, arn: str, change: TagChange) -> str:
        """`<name>.TAGS.<kind>.json`: each key a TagResource or UntagResource is about to change, with
        the value it held (null: none) and the one the run puts there (null: removed); `rollback` puts
        back the first while the key still holds the second."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name_on_disk = f"{name}.TAGS.{kind.value}.json"
        after = {**dict.fromkeys(change.removes), **change.sets}
        saved: dict[str, object] = {
            "Kind": kind.value,
            "Name": name,
            "Resource": arn,
            "Tags": [{"Key": k, "Before": v, "After": after.get(k)} for k, v in change.previous.items()],
        }
        if self.replaced_by:
            saved["ReplacedBy"] = self.replaced_by
        (self.folder / name_on_disk).write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
        return f"{self.shown}/{name_on_disk}"

    def save_associations(self, read: DistributionConfig, changes: tuple[SlotChange, ...]) -> str:
        """`<distribution>.ASSOCIATIONS.<etag>.json`: the FunctionAssociations of each cache behaviour an
        UpdateDistribution is about to change, as read under that ETag."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name_on_disk = f"{read.id}.ASSOCIATIONS.{_safe(read.etag)}.json"
        paths = {c.path for c in changes if c.slot != CONNECTION_SLOT}  # the cache behaviours changed
        saved: dict[str, object] = {
            "Kind": Kind.DISTRIBUTION.value,
            "Id": read.id,
            "ETag": read.etag,
            "Behaviours": [
                {
                    "PathPattern": shown_path(path),
                    "FunctionAssociations": b.get("FunctionAssociations") or {"Quantity": 0},
                }
                for path, b in behaviours(read.config)
                if path in paths
            ],
            "Changes": [  # what the write puts there: a rollback undoes a slot only while it holds After
                {"PathPattern": shown_path(c.path), "EventType": c.event, "Before": c.old, "After": c.new}
                for c in changes
            ],
        }
        if any(c.slot == CONNECTION_SLOT for c in changes):  # the Id a rollback attaches again
            saved["ConnectionFunctionAssociation"] = read.config.get("ConnectionFunctionAssociation") or {}
        if self.replaced_by:
            saved["ReplacedBy"] = self.replaced_by
        (self.folder / name_on_disk).write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
        return f"{self.shown}/{name_on_disk}"

    def discard(self, path: str) -> None:
        """A backup of a publish that was not made: it replaced nothing, so it is not kept."""
        stem = self.folder / Path(path).name.removesuffix(".js")
        for suffix in (".js", ".json"):
            Path(f"{stem}{suffix}").unlink(missing_ok=True)
        if self.folder.is_dir() and not any(self.folder.iterdir()):
            self.folder.rmdir()


def read_regular(path: Path, limit: int, shown: str) -> tuple[bytes | None, str]:
    """A regular file of at most limit bytes, or why not."""
    return _read(path, limit, shown)


def _read(path: Path, limit: int, shown: str) -> tuple[bytes | None, str]:
    """A regular file of at most limit bytes; devices, FIFOs and folders are refused before reading.
    The file is opened without blocking and checked on the handle itself, so a FIFO put in its place
    after a first look cannot hold the run."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None, f"`{shown}` is not a regular file"
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, f"`{shown}` does not exist"
    except OSError as err:  # a permission, a loop of links: say which
        return None, f"`{shown}` cannot be read: {err.strerror or err}"
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(fd)
        if not stat.S_ISREG(size.st_mode):
            return None, f"`{shown}` is not a regular file"
        data = handle.read(limit + 1)
    if len(data) > limit:
        return None, f"`{shown}` is {max(size.st_size, len(data)):,} bytes; the limit is {limit:,}"
    return data, ""


def _safe(etag: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in etag)

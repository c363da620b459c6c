"""Read a folder of LIVE backups (one run's, or the backup-dir of several) into the specs of a rollback."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from publisher.core.association_rollback import newest_restores, parse_association_backup
from publisher.core.errors import InputError, Problem
from publisher.core.limits import CODE_LIMIT
from publisher.core.manifest import AssociationRestore, Manifest
from publisher.core.rollback import (
    BACKUP_STAGE,
    Backup,
    StoreBackup,
    checked,
    newest,
    newest_stores,
    parse_backup,
    parse_store_backup,
    restore_manifest,
    when,
)
from publisher.core.tag_rollback import TagBackup, newest_tags, parse_tag_backup, with_tag_restores
from publisher.shell.files import Workspace, read_regular

PATTERNS = tuple(f"*.{stage}.*.json" for stage in BACKUP_STAGE.values())  # each function kind's
STORE_PATTERN = "*.KVS.*.json"
ASSOCIATIONS_PATTERN = "*.ASSOCIATIONS.*.json"
TAGS_PATTERN = "*.TAGS.*.json"
T = TypeVar("T", Backup, StoreBackup, AssociationRestore, TagBackup)


def read_backups(folder: Path, shown: str, workspace: Workspace | None = None) -> list[Backup]:
    """Every backup in the folder itself and in its folders one level down (the runs' UTC stamps).
    With a workspace, a file that leads out of it (a symlink) is refused."""
    if not folder.is_dir():
        raise InputError([Problem(shown, None, "rollback-from", f"`{shown}` is not a folder")])
    return _every(
        read_backup(path, f"{shown}/{where.removesuffix('.json')}.js", stamp, workspace)
        for pattern in PATTERNS
        for path, where, stamp in _saved(folder, pattern)
    )


def read_store_backups(folder: Path, shown: str, workspace: Workspace | None = None) -> list[StoreBackup]:
    """Every KeyValueStore backup in the folder and one level down, as read_backups finds functions'."""
    return _every(
        read_store_backup(path, f"{shown}/{where}", stamp, workspace)
        for path, where, stamp in _saved(folder, STORE_PATTERN)
    )


def read_association_backups(
    folder: Path, shown: str, workspace: Workspace | None = None
) -> list[AssociationRestore]:
    """Every backup of a distribution's associations in the folder and one level down."""
    return _every(
        read_association_backup(path, f"{shown}/{where}", stamp, workspace)
        for path, where, stamp in _saved(folder, ASSOCIATIONS_PATTERN)
    )


def read_tag_backups(folder: Path, shown: str, workspace: Workspace | None = None) -> list[TagBackup]:
    """Every backup of a resource's tags in the folder and one level down."""
    return _every(
        _tags(path, f"{shown}/{where}", stamp, workspace)
        for path, where, stamp in _saved(folder, TAGS_PATTERN)
    )


def _tags(path: Path, where: str, stamp: str, workspace: Workspace | None) -> TagBackup | Problem:
    text = _text(path, where, workspace, 1024 * 1024)
    return text if isinstance(text, Problem) else parse_tag_backup(text, where, stamp)


def read_association_backup(
    path: Path, where: str, stamp: str, workspace: Workspace | None = None
) -> AssociationRestore | Problem:
    text = _text(path, where, workspace, 1024 * 1024)
    return text if isinstance(text, Problem) else parse_association_backup(text, where, stamp)


def read_store_backup(
    path: Path, where: str, stamp: str, workspace: Workspace | None = None
) -> StoreBackup | Problem:
    text = _text(path, where, workspace, 8 * 1024 * 1024)
    return text if isinstance(text, Problem) else parse_store_backup(text, where, stamp)


def _text(path: Path, where: str, workspace: Workspace | None, limit: int) -> str | Problem:
    """A backup's JSON text, read as a regular file of at most `limit` bytes inside the workspace."""
    if workspace and not path.resolve().is_relative_to(workspace.root):
        return Problem(where, None, "rollback-from", "leads out of the workspace")
    text, problem = read_regular(path, limit, where)
    if text is None:
        return Problem(where, None, "rollback-from", problem)
    return text.decode("utf-8", "replace")


def _saved(folder: Path, pattern: str) -> Iterator[tuple[Path, str, str]]:
    """Each file matching `pattern` in the folder and one level down: its path, its path within the
    folder, and its run's stamp (the folder it lies in)."""
    for path in sorted([*folder.glob(pattern), *folder.glob(f"*/{pattern}")]):
        stamp = path.parent.name if path.parent != folder else folder.resolve().name
        yield path, path.relative_to(folder).as_posix(), stamp


def _every(parsed: Iterable[T | Problem]) -> list[T]:
    """What was read, or every problem found at once."""
    read = list(parsed)
    problems = [p for p in read if isinstance(p, Problem)]
    if problems:
        raise InputError(problems)
    return [p for p in read if not isinstance(p, Problem)]


def read_backup(path: Path, where: str, stamp: str, workspace: Workspace | None = None) -> Backup | Problem:
    """One backup from its `.json` (path) and the `.js` beside it; `where` is the `.js` as shown."""
    code_file = path.with_name(path.name.removesuffix(".json") + ".js")
    if workspace and not all(p.resolve().is_relative_to(workspace.root) for p in (path, code_file)):
        return Problem(where, None, "rollback-from", "leads out of the workspace")
    text, problem = read_regular(path, 65_536, where.removesuffix(".js") + ".json")
    if text is None:
        return Problem(where, None, "rollback-from", problem)
    code, problem = read_regular(code_file, CODE_LIMIT, where)
    return parse_backup(text.decode("utf-8", "replace"), problem if code is None else code, where, stamp)


def rollback_manifest(
    backups: Iterable[Backup],
    shown: str,
    functions: tuple[str, ...],
    source: str = "command line",
    stores: Iterable[StoreBackup] = (),
    *,
    associations: Iterable[AssociationRestore] = (),
    tags: Iterable[TagBackup] = (),
) -> Manifest:
    """Each function's newest backup, cut to `functions` (and the stores they read), checked as a
    manifest is; a name with no backup, or a backup that cannot be restored, is bad input."""
    chosen, saved_stores = newest(backups), newest_stores(stores)
    restores = tuple(newest_restores(associations, when).values())
    saved_tags = newest_tags(tags, when)
    if not chosen and not saved_stores and not restores and not saved_tags:
        message = f"`{shown}` holds no backups (`<function>.LIVE.<etag>.js` and `.json`)"
        raise InputError([Problem(shown, None, "rollback-from", message, in_file=False)])
    unknown = sorted(set(functions) - {ref.name for ref in chosen} - {ref.name for ref in saved_tags})
    if unknown:
        message = f"no backup in `{shown}` for: {', '.join(unknown)}"
        raise InputError([Problem(source, None, "functions", message, in_file=False)])
    whole = replace(restore_manifest(chosen, shown, saved_stores), restored_associations=restores)
    whole = with_tag_restores(whole, saved_tags)
    manifest, problems = checked(whole.select(functions))
    if problems:
        raise InputError(problems)
    return manifest

"""Files and folders written whole or not at all: a run killed while writing keeps what was there before.

A torn trainer_state.pt stopped every resume until the folder was deleted by hand; a torn npc/model (an export
killed after its new graphs, before their config) could not be loaded by any server.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable


def replace_folder(target: Path, write: Callable[[Path], None], keep_files: bool = False) -> None:
    """Calls `write` on a fresh sibling folder, then puts it in the place of `target` by two renames.

    `keep_files`: the fresh folder starts with a copy of the files at `target`'s top (not its subfolders), for
    writers that used to leave the files they do not write where they were. Through a link (npc/model -> releases/v3)
    the folder it names is replaced and the link stays: replaced itself, it left `.old` a link no rmtree removes, and
    the next run failed on it after all its work.
    """
    if target.is_symlink():
        target = target.resolve()
    recovered(target)
    fresh, old = target.with_name(target.name + ".new"), target.with_name(target.name + ".old")
    _remove(fresh)
    fresh.mkdir(parents=True)
    try:
        if keep_files and target.is_dir():
            for path in target.iterdir():
                if path.is_file():
                    shutil.copy2(path, fresh / path.name)
        write(fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    _remove(old)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    _remove(old)


def _remove(path: Path) -> None:
    """A folder, file or link gone; one that cannot be removed is an error, not left in the way of the next run."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def recovered(target: Path) -> Path:
    """`target`, put back from its `.old` copy when a run was killed between replace_folder's two renames."""
    old = target.with_name(target.name + ".old")
    if not target.exists() and old.exists():
        old.rename(target)
    return target


def write_whole(path: Path, text: str) -> None:
    """`path.write_text(text)` (UTF-8), seen by readers as the old text or the new, never a part."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)

"""The one exception of the importer: a malformed or missing input, located by file and line."""

from __future__ import annotations

from pathlib import Path


class ImportFailure(Exception):
    """Bad or missing input. The message is bilingual (French / English) and names the file and 1-based line."""

    def __init__(self, fr: str, en: str, *, path: Path | str | None = None, line: int | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.fr = fr
        self.en = en
        super().__init__(self._message())

    def _message(self) -> str:
        if self.path is None:
            return f"{self.fr} / {self.en}"
        if self.line is None:
            return f"{self.path} : {self.fr} / {self.path}: {self.en}"
        return f"{self.path}, ligne {self.line} : {self.fr} / {self.path}, line {self.line}: {self.en}"

"""The zip package of a DOCX, rewritten so the same view gives the same bytes."""

from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO


def reproducible_zip(data: bytes, created: str) -> bytes:
    """The package rewritten with fixed entry order, timestamps and attributes."""
    day = date.fromisoformat(created[:10])
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(BytesIO(data)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    first = [name for name in ("[Content_Types].xml", "_rels/.rels") if name in entries]
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in first + sorted(set(entries) - set(first)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()

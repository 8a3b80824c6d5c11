"""Case-insensitive "contains" search that treats the user's % and _ as plain characters."""
from __future__ import annotations

from sqlalchemy import func


def contains(column, term: str):
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")

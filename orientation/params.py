"""Numbers read from a query string (filters, links between pages), checked before any query.

A number out of the database's range, digits that are not ASCII ("²", "١٢") or a formula
("=1+1") is treated as absent: never a query that overflows, never an HTTP 500.
"""

from __future__ import annotations

# The largest id any table can hold (PostgreSQL bigint, SQLite integer).
MAX_ID = 2**63 - 1


def query_id(value) -> int | None:
    """A record id (a positive integer in range) from a query-string value, else None."""
    if not isinstance(value, str):
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else ""
    value = value.strip()
    if not value or len(value) > len(str(MAX_ID)) or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None

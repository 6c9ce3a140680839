"""Turn the many ways articles write a date into ISO ``YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
import re

# 2025-03-14, 2025.03.14, 2025/3/14, 2025년 3월 14일, 2025-03-14T09:30:00+09:00, 20250314, 20250314093000
_DATE = re.compile(r"(?<!\d)(\d{4})(?:\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})(?!\d)"
                   r"|(\d{2})(\d{2})(?:\d{4}|\d{6})?(?!\d))")


def iso_date(value: str | None) -> str | None:
    """Return the first real calendar date in ``value`` as YYYY-MM-DD, or None."""
    if not value:
        return None
    for match in _DATE.finditer(value):
        year, month, day = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
        try:
            return dt.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            continue
    return None

"""Reading ids from query strings and form fields, which people can type or
tamper with: anything but a whole number that fits a database id counts as
missing."""

import re

# A database id: ASCII digits only (str.isdigit() also accepts "²" and other
# digits that int() refuses), at most a 64-bit signed integer.
_ID = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1


def int_param(value):
    """The id in value (str or None) as an int, or None when it is empty, not
    made of ASCII digits, or larger than a 64-bit id (9223372036854775807)."""
    value = (value or "").strip()
    if not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None

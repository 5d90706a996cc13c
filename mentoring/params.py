"""Reading ids from query strings and form fields, which people can type or
tamper with: anything but a whole number counts as missing."""


def int_param(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() else None

"""CSV exports that are safe to open in a spreadsheet."""


def csv_safe(value) -> str:
    """Text people typed, made inert: a cell starting with =, +, -, @, a tab or a carriage
    return would be run as a formula by Excel, so it is shown as text instead."""
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

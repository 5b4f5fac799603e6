"""Date formats per language (FORMAT_MODULE_PATH), read by the |date filter and initiatives.dates.

Only what differs from Django's own locale formats, or what pages rely on, is set here; the
month names come from Django's translations, never from tables of our own.
"""

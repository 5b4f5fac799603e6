# "1 July 2026": day first, as read across the Commonwealth and the UN (Django's English says "July 1, 2026").
DATE_FORMAT = "j F Y"
YEAR_MONTH_FORMAT = "F Y"  # "July 2026"

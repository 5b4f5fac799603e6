# Django's French forms, pinned: "1 juillet 2026", "juillet 2026" (never an abbreviation such as "Jui").
DATE_FORMAT = "j F Y"
YEAR_MONTH_FORMAT = "F Y"

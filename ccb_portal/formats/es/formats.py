# Django's Spanish forms, pinned: "1 de julio de 2026", "julio de 2026".
DATE_FORMAT = r"j \d\e F \d\e Y"
YEAR_MONTH_FORMAT = r"F \d\e Y"

"""English dates and times as the browser writes them for English (Intl.DateTimeFormat "en"): Django's own
English formats write "p.m." in one place and a 24-hour "21:19" wherever a template chose its own format,
so a screen mixed "12/01/2026 9:18 p.m." and "21:19". Templates use these names only (TIME_FORMAT,
SHORT_DATETIME_FORMAT, ...), never a format string of their own."""

TIME_FORMAT = "g:i A"
DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, g:i A"
SHORT_DATE_FORMAT = "n/j/Y"
SHORT_DATETIME_FORMAT = "n/j/Y, g:i A"

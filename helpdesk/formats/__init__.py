"""Date and time formats per language, where Django's own would mix clocks on one screen (FORMAT_MODULE_PATH).

A language without a module here keeps Django's formats: Dutch and Swedish already write 24-hour times
everywhere ("21:18", "1-12-2026 21:18", "2026-12-01 21:18").
"""

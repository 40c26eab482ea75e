"""Text someone types for others to read (names, messages, comments), made safe to show.

Direction controls are removed: an embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) reorders
what follows it, so "invoice\u202efdp.exe" reads as "invoiceexe.pdf" and a name can pose as someone else's.
Right-to-left scripts need none of them; the Unicode bidirectional algorithm orders Arabic or Hebrew by
itself. Text made only of invisible characters (zero-width spaces and joiners, fillers) counts as empty,
so nobody sends a blank line or is called by a blank name.
"""

import unicodedata

DIRECTION_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# Letters by their category that show as nothing: the Hangul fillers and the blank Braille pattern.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _shows(char: str) -> bool:
    return char not in BLANK_LETTERS and unicodedata.category(char) not in INVISIBLE_CATEGORIES


def visible_text(text: str) -> str:
    """`text` without direction controls and surrounding whitespace, or "" when nothing in it shows."""
    text = (text or "").translate(DIRECTION_CONTROLS).strip()
    return text if any(_shows(char) for char in text) else ""

"""The product's own words in Dutch and Swedish, held against the catalogues.

The terms are those of the SuperOffice help pages the product follows (../shared/reference/ beside the
checkout): superoffice-transfer-to-agent.{en,nl,sv}.md and superoffice-respond.nl.md. Agents, their
help pages and the browser tests find buttons by these names, so a translation that drifts from them
(a typo, a word split in two) is a defect even though the catalogue is complete.
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"

# msgid -> (Dutch, Swedish) as the reference pages write them. None: no reference page names it in that
# language (there is no Swedish page on answering chats), so the catalogue alone decides.
REFERENCE_TERMS = {
    # Names in bold on the transfer pages, in all three languages.
    "Transfer": ("Overbrengen", "Överför"),
    "Transfer to": ("Overbrengen naar", "Överför till"),
    "Present": ("Aanwezig", "Närvarande"),
    "Accept transfer": ("Overdracht accepteren", "Acceptera överföring"),
    "Reject transfer": ("Overdracht afwijzen", "Avvisa överföring"),
    "Cancel transfer": ("Overdracht annuleren", "Avbryt överföring"),
    "Close window": ("Venster sluiten", "Stäng fönster"),
    "Can listen in": ("Kan meeluisteren", "Kan lyssna"),
    "Dashboard": ("Dashboard", "Dashboard"),
    # The transfer pages' running text: "de chat overnemen", "ta över chatten"; "een verzoek maken",
    # "skapa ett ärende"; listening mode is "luistermodus", in Swedish "lyssningsläge" (the page's
    # "lysningsläge" is a typo: lyssna, to listen).
    "Take over": ("Overnemen", "Ta över"),
    "Create request": ("Verzoek maken", "Skapa ärende"),
    "Listening": ("Luistermodus", "Lyssningsläge"),
    # The Dutch page on answering chats.
    "Away": ("Afwezig", None),
    "Chats": ("Chats", None),
    "Incoming chat": ("Binnenkomende chat", None),
    "In queue": ("In wachtrij", None),
    "Get next in queue": ("Volgende in wachtrij ophalen", None),
    "Send": ("Verzenden", None),
    "End chat": ("Chat beëindigen", None),
    "Recent chat sessions": ("Recente chatsessies", None),
    # Not on a page, but Dutch writes a compound as one word.
    "Offline messages": ("Offlineberichten", None),
}

# Sentences that name a control or a mode must use the reference's word for it.
REFERENCE_TERMS_IN_SENTENCES = {
    "You are in listening mode: %(name)s is now chatting with the visitor. You can follow the chat but not reply.": (
        "luistermodus", "lyssningsläge"
    ),
    "Choose an agent in the Transfer to list.": ("Overbrengen naar", "Överför till"),
    "You cannot transfer a chat to yourself. Use Take over.": ("Overnemen", "Ta över"),
    "You do not have the permission Can listen in.": ("Kan meeluisteren", "Kan lyssna"),
    "%(name)s is Away. Only agents who are Present can receive a chat.": ("Aanwezig", "Närvarande"),
    "Choose Present or Away.": ("Afwezig", None),
}

LANGUAGES = {"nl": 0, "sv": 1}


def catalogue(language: str) -> dict[str, str]:
    """msgid -> msgstr of the messages without a context (the kind-of-hand-over nouns have one)."""
    po_file = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    return {entry.msgid: entry.msgstr for entry in po_file if not entry.msgctxt and not entry.obsolete}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_uses_the_reference_pages_terms(language):
    translated = catalogue(language)
    expected = {msgid: terms[LANGUAGES[language]] for msgid, terms in REFERENCE_TERMS.items()}
    wrong = {
        msgid: f"{translated.get(msgid)!r}, the reference says {term!r}"
        for msgid, term in expected.items()
        if term is not None and translated.get(msgid) != term
    }
    assert not wrong, f"locale/{language}/LC_MESSAGES/django.po:\n  " + "\n  ".join(
        f"{msgid!r} is {problem}" for msgid, problem in wrong.items()
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_sentences_name_controls_and_modes_by_the_reference_pages_terms(language):
    translated = catalogue(language)
    missing = {
        msgid: term
        for msgid, terms in REFERENCE_TERMS_IN_SENTENCES.items()
        if (term := terms[LANGUAGES[language]]) is not None and term not in translated.get(msgid, "")
    }
    assert not missing, f"locale/{language}/LC_MESSAGES/django.po:\n  " + "\n  ".join(
        f"{msgid!r} should say {term!r}: {translated.get(msgid)!r}" for msgid, term in missing.items()
    )

"""Dutch and Swedish are complete: every string a person can see has a translation, the compiled
catalogues the app loads say the same as the .po files, and no new string reached the source without
`make messages` having collected it.

The last check runs Django's makemessages, so it needs gettext (`make test` installs it when missing).
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.utils.functional import Promise

from helpdesk.management.commands.update_translations import IGNORED_FOLDERS, translated_languages

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = translated_languages()
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
HOW_TO_FIX = "Run `make messages`, translate the entries it lists in locale/<language>/LC_MESSAGES/django.po, run it again."


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def message_key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def translations(catalogue) -> dict:
    """What each message becomes, from a .po or a .mo alike."""
    return {
        (entry.msgctxt or "", entry.msgid): (
            tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)) if entry.msgid_plural else entry.msgstr
        )
        for entry in catalogue
        if entry.msgid
    }


def placeholder_problem(entry, forms) -> str:
    """A wrong name raises KeyError when the string is shown; a dropped one loses who or how many."""
    given = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
    for form in forms:
        if unknown := set(PLACEHOLDER.findall(form)) - given:
            return f"uses {sorted(unknown)}, which the source does not give"
    # The singular form of a plural may say "one" in words; the last form must show every value.
    if dropped := given - set(PLACEHOLDER.findall(forms[-1])):
        return f"leaves out {sorted(dropped)}"
    return ""


def test_the_translated_languages_are_dutch_and_swedish():
    assert LANGUAGES == ["nl", "sv"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_has_a_finished_translation(language):
    catalogue = polib.pofile(str(po_path(language)))
    problems = []
    if catalogue.metadata_is_fuzzy:
        problems.append("the header is marked fuzzy, so msgfmt would drop it")
    for entry in catalogue:
        name = repr(entry.msgid)
        if entry.obsolete:
            problems.append(f"{name} is obsolete (#~): `make messages` removes such entries")
            continue
        if entry.fuzzy:
            problems.append(f"{name} is marked fuzzy: check the translation and remove the flag")
        forms = [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)] if entry.msgid_plural else [entry.msgstr]
        if entry.msgid_plural and len(forms) < 2:
            problems.append(f"{name} lacks a plural form")
        if not all(form.strip() for form in forms):
            problems.append(f"{name} has no translation")
            continue
        if problem := placeholder_problem(entry, forms):
            problems.append(f"{name} {problem}")
    assert not problems, f"{po_path(language)}:\n  " + "\n  ".join(problems) + f"\n{HOW_TO_FIX}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_says_what_the_po_file_says(language):
    """Django reads the committed .mo, not the .po: a translation left uncompiled never reaches anyone."""
    po_file = po_path(language)
    mo_file = po_file.with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file} is missing. {HOW_TO_FIX}"
    compiled_now = translations(polib.mofile(polib.pofile(str(po_file)).to_binary()))
    committed = translations(polib.mofile(str(mo_file)))
    differing = sorted(key[1] for key in compiled_now.keys() ^ committed.keys())
    differing += sorted(key[1] for key in compiled_now.keys() & committed.keys() if compiled_now[key] != committed[key])
    assert not differing, f"{mo_file} is out of date with its .po for: {differing}\n{HOW_TO_FIX}"


def test_every_string_in_the_source_is_in_the_catalogues(tmp_path, settings, monkeypatch):
    """Run makemessages over the source in a scratch folder, and compare with the committed .po files."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        pytest.fail("gettext is not installed: `make test` installs Debian's gettext package when msgfmt is missing.")
    # makemessages scans the working directory and writes next to it: a folder of links to the source
    # and a copy of locale/, so the committed catalogues stay untouched.
    base_dir = Path(settings.BASE_DIR)
    for item in base_dir.iterdir():
        if item.name != "locale" and not item.name.startswith(".") and item.name not in IGNORED_FOLDERS:
            (tmp_path / item.name).symlink_to(item, target_is_directory=item.is_dir())
    shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", locale=LANGUAGES, ignore_patterns=IGNORED_FOLDERS, symlinks=True, verbosity=0)

    for language in LANGUAGES:
        fresh = polib.pofile(str(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"))
        committed = polib.pofile(str(po_path(language)))
        collected = {message_key(entry) for entry in committed if not entry.obsolete}
        missing = sorted(
            {message_key(entry) for entry in fresh if not entry.obsolete} - collected, key=lambda key: key[1]
        )
        assert len(fresh) > 100, f"makemessages found only {len(fresh)} strings in {tmp_path}: is the scan broken?"
        assert not missing, (
            f"{po_path(language)} lacks {len(missing)} string(s) that the source uses:\n  "
            + "\n  ".join(repr(key[1]) + (f" (plural {key[2]!r})" if key[2] else "") for key in missing)
            + f"\n{HOW_TO_FIX}"
        )


# Never shown: the widget's credential is excluded from the admin.
UNSHOWN_FIELDS = {("chat", "chatsession", "token")}


def test_every_field_the_admin_shows_has_a_translated_label():
    """A field without a verbose_name is labelled with its English name ("Answered at") in every language."""
    unlabelled = [
        f"{model._meta.label}.{field.name}"
        for model in admin.site._registry
        if model._meta.app_label in {"chat", "helpdesk", "transfers"}
        for field in model._meta.get_fields()
        if not field.auto_created and hasattr(field, "verbose_name")
        and (model._meta.app_label, model._meta.model_name, field.name) not in UNSHOWN_FIELDS
        and not isinstance(field.verbose_name, Promise)
    ]
    assert not unlabelled, f"give these fields a verbose_name=_(...): {unlabelled}"

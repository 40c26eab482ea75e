"""`make messages`: refresh the Dutch and Swedish catalogues from the source, then compile them.

The compiled .mo files are committed, so a fresh machine runs translated without gettext; this command
needs gettext's tools, and tests/helpdesk/test_translations.py uses the same folders and languages to
check that nobody added a string without running it.
"""

import contextlib

from django.conf import settings
from django.core.management import BaseCommand, call_command

# Folders whose words are not the product's: installed packages, tests, build and test output.
IGNORED_FOLDERS = [".venv", "tests", "staticfiles", "node_modules", "media", "test-results"]


def translated_languages() -> list[str]:
    """Every offered language except the one the source is written in."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class Command(BaseCommand):
    help = "Collect new strings into locale/<language>/LC_MESSAGES/django.po and compile the .mo files."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        with contextlib.chdir(settings.BASE_DIR):  # makemessages scans the working directory
            call_command(
                "makemessages", locale=translated_languages(), ignore_patterns=IGNORED_FOLDERS,
                no_obsolete=True, verbosity=verbosity,
            )
            call_command(
                "compilemessages", locale=translated_languages(), ignore_patterns=IGNORED_FOLDERS,
                verbosity=verbosity,
            )

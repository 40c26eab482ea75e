"""A GIN index for "Search chats" on PostgreSQL: the message text as a tsvector in the team's language.

A functional index rather than a stored SearchVectorField: messages are written by several services (and
bulk_create), and an index on the expression is kept up to date by the database itself, costs no column,
and needs no trigger. It is built for the configuration of settings.LANGUAGE_CODE when the migration runs;
a team that changes its language rebuilds it by migrating back to 0010 and forward again. Other databases
(the embedded SQLite) search by substring and get no index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "chat_message_body_search"


def _index():
    from chat.search import search_config  # the same mapping the searches use, so the expressions agree

    return GinIndex(SearchVector("body", config=search_config()), name=INDEX_NAME)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("chat", "Message"), _index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("chat", "Message"), _index())


class Migration(migrations.Migration):
    dependencies = [("chat", "0010_channel_embedding")]

    operations = [migrations.RunPython(add_index, remove_index)]

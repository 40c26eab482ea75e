"""The first response, stored on the chat when its first agent line is posted, and filled in here for the
chats that already have one: from their earliest agent line, as the Reports used to compute it."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_first_response(apps, schema_editor):
    ChatSession = apps.get_model("chat", "ChatSession")
    Message = apps.get_model("chat", "Message")
    first_agent_line = (
        Message.objects.filter(session=OuterRef("pk"), kind="agent").order_by("created_at").values("created_at")[:1]
    )
    ChatSession.objects.filter(first_response_at__isnull=True).update(first_response_at=Subquery(first_agent_line))


class Migration(migrations.Migration):

    dependencies = [
        ('chat', '0012_report_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='chatsession',
            name='first_response_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='first response'),
        ),
        migrations.RunPython(fill_first_response, migrations.RunPython.noop, elidable=True),
    ]

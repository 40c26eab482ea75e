"""Chats handed over without being asked, whose new owner has not written since: their owner is stored on
the chat (ChatSession.handed_to) instead of being found again in every sessions list and before every
agent line, as live/workspace_lists.py used to, from the chat's newest accepted transfer."""

from django.db import migrations


def fill_handed_to(apps, schema_editor):
    ChatSession = apps.get_model("chat", "ChatSession")
    Message = apps.get_model("chat", "Message")
    Transfer = apps.get_model("transfers", "Transfer")
    newest_by_session = {}
    for transfer in Transfer.objects.filter(status="accepted").order_by("id"):
        newest_by_session[transfer.session_id] = transfer
    for session_id, transfer in newest_by_session.items():
        if transfer.kind != "reassign" or transfer.decided_at is None:
            continue
        written = Message.objects.filter(
            session_id=session_id, kind="agent", author_id=transfer.to_agent_id, created_at__gte=transfer.decided_at
        ).exists()
        if not written:
            ChatSession.objects.filter(pk=session_id).update(handed_to_id=transfer.to_agent_id)


class Migration(migrations.Migration):

    dependencies = [
        ("transfers", "0004_withdrawn_offers"),
        ("chat", "0017_chatsession_handed_to"),
    ]

    operations = [
        migrations.RunPython(fill_handed_to, migrations.RunPython.noop, elidable=True),
    ]

"""What an ended chat leaves on its contact: the transcript, as an activity."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chat.models import ChatSession
from helpdesk.models import Activity
from helpdesk.transcripts import plain_text


@transaction.atomic
def activity_record_chat(*, session: ChatSession, by=None) -> Activity | None:
    """Keep an ended chat's transcript among its contact's activities; nothing when no contact is linked.

    One activity per chat and contact: a reactivated chat that ends again brings it up to date. Written in
    the site's language, since any agent may read it later, not only whoever ended the chat.
    """
    if session.contact_id is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Chat with %(name)s") % {"name": session.visitor_name}
        text = plain_text(session)
    activity, _created = Activity.objects.update_or_create(
        contact_id=session.contact_id, session=session, kind=Activity.Kind.CHAT,
        defaults={"title": title[:200], "text": text},
        create_defaults={"title": title[:200], "text": text, "created_by": by},
    )
    return activity

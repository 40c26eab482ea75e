"""An agent's own quick replies: create, change, delete. Reply templates and FAQs belong to the team and
are kept by managers in the Django admin, so nothing here touches them.

Nothing is pushed live: a quick reply is private, and the picker re-reads the texts each time it opens.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from chat.models import PredefinedText
from helpdesk.errors import Invalid, NotAllowed

TITLE_MAX_LENGTH = PredefinedText._meta.get_field("title").max_length
SHORTCUT_MAX_LENGTH = PredefinedText._meta.get_field("shortcut").max_length
TEXT_MAX_LENGTH = PredefinedText._meta.get_field("text").max_length


def _clean(*, title: str, shortcut: str, text: str, language: str) -> dict:
    title = (title or "").strip()
    # People type the shortcut the way they use it ("/thanks"); it is stored without the slash.
    shortcut = (shortcut or "").strip().removeprefix("/").lower()
    text = (text or "").strip()
    if not title:
        raise Invalid(_("Give the quick reply a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise Invalid(_("A title can be at most %(limit)s characters long.") % {"limit": TITLE_MAX_LENGTH})
    if not shortcut:
        raise Invalid(_("Give the quick reply a shortcut."))
    if len(shortcut) > SHORTCUT_MAX_LENGTH:
        raise Invalid(_("A shortcut can be at most %(limit)s characters long.") % {"limit": SHORTCUT_MAX_LENGTH})
    try:
        validate_slug(shortcut)
    except ValidationError:
        raise Invalid(_("A shortcut can only hold letters, digits, hyphens and underscores.")) from None
    if not text:
        raise Invalid(_("Type the text of the quick reply."))
    if len(text) > TEXT_MAX_LENGTH:
        raise Invalid(_("A text can be at most %(limit)s characters long.") % {"limit": TEXT_MAX_LENGTH})
    if language not in dict(settings.LANGUAGES):
        raise Invalid(_("Choose one of the languages offered."))
    return {"title": title, "shortcut": shortcut, "text": text, "language": language}


def _lock_owner(owner) -> None:
    """Serialise one agent's quick-reply writes, so two at once cannot both take the same shortcut."""
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()


def _refuse_taken_shortcut(*, owner, shortcut: str, language: str, except_pk=None) -> None:
    taken = PredefinedText.objects.filter(
        kind=PredefinedText.Kind.QUICK_REPLY, owner=owner, shortcut=shortcut, language=language
    ).exclude(pk=except_pk)
    if taken.exists():
        raise Invalid(
            _("You already have a quick reply with the shortcut /%(shortcut)s in this language.")
            % {"shortcut": shortcut}
        )


def _own_quick_reply(quick_reply: PredefinedText, by) -> PredefinedText:
    quick_reply = PredefinedText.objects.select_for_update().get(pk=quick_reply.pk)
    if quick_reply.kind != PredefinedText.Kind.QUICK_REPLY:
        raise NotAllowed(_("Reply templates and FAQs are kept by managers in the admin."))
    if quick_reply.owner_id != by.pk:
        raise NotAllowed(_("Only the agent who made this quick reply can change it."))
    return quick_reply


@transaction.atomic
def quick_reply_create(*, owner, title: str, shortcut: str, text: str, language: str) -> PredefinedText:
    fields = _clean(title=title, shortcut=shortcut, text=text, language=language)
    _lock_owner(owner)
    _refuse_taken_shortcut(owner=owner, shortcut=fields["shortcut"], language=fields["language"])
    return PredefinedText.objects.create(kind=PredefinedText.Kind.QUICK_REPLY, owner=owner, **fields)


@transaction.atomic
def quick_reply_update(*, quick_reply: PredefinedText, by, title: str, shortcut: str, text: str,
                       language: str) -> PredefinedText:
    _lock_owner(by)
    quick_reply = _own_quick_reply(quick_reply, by)
    fields = _clean(title=title, shortcut=shortcut, text=text, language=language)
    _refuse_taken_shortcut(
        owner=by, shortcut=fields["shortcut"], language=fields["language"], except_pk=quick_reply.pk
    )
    for name, value in fields.items():
        setattr(quick_reply, name, value)
    quick_reply.save(update_fields=list(fields))
    return quick_reply


@transaction.atomic
def quick_reply_delete(*, quick_reply: PredefinedText, by) -> None:
    _own_quick_reply(quick_reply, by).delete()

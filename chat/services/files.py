"""Sending a file in a chat: the agent's and the visitor's, each file its own line of the transcript.

A file is checked completely before anything is stored, so a refused file leaves nothing behind. Its type
is decided here, from the name's ending and (for images) from the bytes themselves; what the browser
claims is never trusted, because the download view serves the file with the type stored here.
"""

import mimetypes

from django.db import transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from chat.models import Attachment, Channel, ChatSession, Message
from chat.services.messages import (
    line_added,
    lock_for_agent_line,
    mark_written_up_to,
    note_first_response,
)
from helpdesk.errors import Conflict, Invalid, NotAllowed, TooLarge

# Endings shown inline as pictures, and the Pillow format the bytes must really be in.
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
NAME_MAX_LENGTH = Attachment._meta.get_field("original_name").max_length
# What a multipart body carries besides the file: boundaries, part headers, a name of up to 200 characters.
MULTIPART_MARGIN_BYTES = 64 * 1024


def allowed_extensions(channel: Channel) -> list[str]:
    """The channel's allowed endings, lower case and without dots: "PDF, .png" gives ["pdf", "png"]."""
    return [ext.strip().lstrip(".").lower() for ext in channel.allowed_file_types.split(",") if ext.strip(" .")]


def _too_large(channel: Channel) -> str:
    return _("This file is too large. Files can be at most %(limit)s.") % {
        "limit": filesizeformat(channel.max_file_size_bytes)
    }


def check_upload_length(channel: Channel, content_length) -> None:
    """Refuse, from its Content-Length alone, an upload that cannot hold a file the channel accepts.

    Views call this before touching request.FILES: reading that parses the whole body and spools the file to
    a temporary file on disk, whatever its size, so anyone holding a chat's token could fill the disk.
    """
    try:
        length = int(content_length or 0)
    except ValueError:
        length = 0  # Django then parses no body at all, and the missing file is refused as such
    if length > channel.max_file_size_bytes + MULTIPART_MARGIN_BYTES:
        raise TooLarge(_too_large(channel))


def _image_content_type(upload, extension: str) -> str:
    """The image's real type, or a refusal when the bytes are not the picture the name promises."""
    expected = IMAGE_FORMATS[extension]
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found = image.format
            image.verify()
    # Pillow reports damaged or foreign data with many exception types (UnidentifiedImageError, SyntaxError,
    # OSError, DecompressionBombError, struct.error...): any of them means "not a usable picture".
    except Exception:
        found = None
    finally:
        upload.seek(0)
    if found != expected:
        raise Invalid(_("This file is not a real %(type)s image.") % {"type": extension.upper()})
    return Image.MIME[expected]


def checked_content_type(channel: Channel, upload) -> str:
    """Apply the channel's limits to an uploaded file and return the content type to store and serve."""
    if upload is None:
        raise Invalid(_("Choose a file first."))
    name = upload.name or ""
    if len(name) > NAME_MAX_LENGTH:
        raise Invalid(_("A file name can be at most %(limit)s characters long.") % {"limit": NAME_MAX_LENGTH})
    if not upload.size:
        raise Invalid(_("This file is empty."))
    if upload.size > channel.max_file_size_bytes:
        raise Invalid(_too_large(channel))
    extension = name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""
    allowed = allowed_extensions(channel)
    if extension not in allowed:
        raise Invalid(
            _("Files of this type cannot be sent here. You can send: %(types)s.") % {"types": ", ".join(allowed)}
        )
    if extension in IMAGE_FORMATS:
        return _image_content_type(upload, extension)
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _store(session: ChatSession, upload, content_type: str, **message_fields) -> Message:
    # No body: the line is the file. Plain-text transcripts name it from the attachment (helpdesk.transcripts).
    message = Message.objects.create(session=session, **message_fields)
    Attachment.objects.create(
        message=message, file=upload, original_name=upload.name, size=upload.size, content_type=content_type
    )
    return message


def _check_visitor_caps(session: ChatSession, size: int) -> None:
    """The channel's caps on what visitors send: files and bytes per chat, bytes per day on the channel.
    Throttles slow one address down; these bound what reaches the disk however many addresses send. Only
    visitors' files count: the agents' own files are never refused for what visitors sent."""
    channel = session.channel
    visitor_files = Attachment.objects.filter(message__kind=Message.Kind.VISITOR)
    in_chat = visitor_files.filter(message__session=session).aggregate(files=Count("id"), size=Sum("size"))
    if channel.max_files_per_chat and in_chat["files"] >= channel.max_files_per_chat:
        raise NotAllowed(
            _("You cannot send more files in this chat: at most %(count)s can be sent in one chat.")
            % {"count": channel.max_files_per_chat}
        )
    if channel.max_file_bytes_per_chat and (in_chat["size"] or 0) + size > channel.max_file_bytes_per_chat:
        raise NotAllowed(
            _("This file would take this chat over its limit: at most %(limit)s of files can be sent in one chat.")
            % {"limit": filesizeformat(channel.max_file_bytes_per_chat)}
        )
    if channel.max_file_bytes_per_day:
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        today = visitor_files.filter(message__session__channel=channel, message__created_at__gte=midnight)
        if (today.aggregate(size=Sum("size"))["size"] or 0) + size > channel.max_file_bytes_per_day:
            raise NotAllowed(_("No more files can be received today. Please describe it in a message instead."))


@transaction.atomic
def file_send_by_visitor(*, session: ChatSession, upload) -> Message:
    session = ChatSession.objects.select_for_update(no_key=True).select_related("channel").get(pk=session.pk)
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    content_type = checked_content_type(session.channel, upload)
    _check_visitor_caps(session, upload.size)
    message = _store(session, upload, content_type, kind=Message.Kind.VISITOR)
    line_added(session, message, has_file=True)
    return message


@transaction.atomic
def file_send_by_agent(*, session: ChatSession, agent, upload) -> Message:
    session, handed_to_author = lock_for_agent_line(session.pk, agent)
    content_type = checked_content_type(session.channel, upload)
    message = _store(session, upload, content_type, kind=Message.Kind.AGENT, author=agent)
    note_first_response(session, message)
    mark_written_up_to(session, agent, message)
    line_added(session, message, handed_to_author=handed_to_author, has_file=True)
    return message

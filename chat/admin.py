"""Channels, chat sessions and their records in the Django admin; transfers/admin.py adds a chat's transfer
history and the manager's two actions, Take over and Transfer, to the chat session page."""

from django import forms
from django.contrib import admin, messages
from django.core.validators import validate_slug
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chat.models import BlockedAddress, Channel, ChannelMember, ChatSession, Listener, Message, PageView, PredefinedText
from chat.services import spam
from helpdesk.admin import ChannelScoped, PeopleByName, person_column
from helpdesk import roles
from helpdesk.errors import ServiceError


RIGHT_NAMES = [
    ("can_respond", _("Can respond")), ("notifications", _("Notifications")), ("can_listen_in", _("Can listen in")),
    ("is_manager", _("Manager")),
]


class ChannelMemberInline(PeopleByName, admin.TabularInline):
    model = ChannelMember
    extra = 0
    readonly_fields = ["rights_in_effect"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("rights in effect"))
    def rights_in_effect(self, obj):
        """The ticks are this membership's own; the Django permissions "Can listen in" and "Can take over and
        transfer any chat" add rights on every channel, which the ticks cannot show."""
        if obj.pk is None:
            return "—"
        rights = roles.rights_on(obj.user, obj.channel_id)
        return ", ".join(str(name) for right, name in RIGHT_NAMES if getattr(rights, right)) or "—"


@admin.register(Channel)
class ChannelAdmin(ChannelScoped, admin.ModelAdmin):
    list_display = ["name", "slug", "transfers_need_acceptance", "transfer_timeout_seconds"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ChannelMemberInline]

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(pk__in=channel_ids)


class ReadOnlyInline(admin.TabularInline):
    """A chat's records shown on its page: written by the services, never added, changed or removed here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PageViewInline(ReadOnlyInline):
    """The pages of the host website the visitor had open during the chat (the newest kept)."""

    model = PageView
    fields = ["seen_at", "title", "url"]
    readonly_fields = fields


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "kind", "event", "author_name", "body", "file"]
    readonly_fields = fields

    author_name = person_column(Message, "author")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "attachment")

    @admin.display(description=_("file"))
    def file(self, obj):
        """A link to the file, through the workspace's download, which checks who may read the chat."""
        attachment = getattr(obj, "attachment", None)
        if attachment is None:
            return None
        url = reverse("chat_file", args=[obj.session_id, attachment.pk])
        return format_html('<a href="{}" download>{}</a> ({})', url, attachment.original_name, attachment.size)


class ListenerInline(ReadOnlyInline):
    model = Listener
    fields = ["agent_name", "reason", "started_at", "closed_at"]
    readonly_fields = fields
    verbose_name_plural = _("Listen-ins")

    agent_name = person_column(Listener, "agent")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent")


@admin.register(ChatSession)
class ChatSessionAdmin(ChannelScoped, admin.ModelAdmin):
    list_display = ["pk", "visitor_name", "channel", "status", "owner_name", "created_at"]
    list_filter = ["status", "end_reason", "channel"]
    search_fields = ["visitor_name", "visitor_email", "question"]
    list_select_related = ["channel", "owner"]
    # Every field: a chat changes only through the services (their checks, history and live pushes).
    readonly_fields = [
        "channel", "visitor_name", "visitor_email", "question", "visitor_language_name", "status", "owner_name",
        "contact", "created_at", "answered_at", "first_response_at", "ended_at", "end_reason", "reactivated_at",
        "requeued_at", "visitor_seen_at", "visitor_left_at", "rating", "rating_comment",
        "visitor_user_agent", "visitor_referrer", "visitor_locale", "visitor_time_zone",
    ]
    exclude = ["token", "owner", "visitor_language"]  # shown by name, as owner_name and visitor_language_name
    inlines = [ListenerInline, MessageInline, PageViewInline]
    actions = ["end_queued", "mark_queued_spam"]

    owner_name = person_column(ChatSession, "owner")

    @admin.display(description=ChatSession._meta.get_field("visitor_language").verbose_name)
    def visitor_language_name(self, obj):
        try:
            return get_language_info(obj.visitor_language)["name_translated"]
        except KeyError:  # a code Django does not know: show it as it is
            return obj.visitor_language

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(channel_id__in=channel_ids)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _end_queued(self, request, queryset, as_spam):
        chosen = list(queryset.values_list("pk", flat=True))
        try:
            ended = spam.queue_end_many(session_ids=chosen, by=request.user, spam=as_spam)
        except ServiceError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, ngettext(
            "%(count)d chat ended.", "%(count)d chats ended.", ended) % {"count": ended}, messages.SUCCESS)
        if ended < len(chosen):
            self.message_user(request, _("Chats no longer waiting in the queue were left as they are."), messages.WARNING)

    @admin.action(description=_("End selected queued chats"))
    def end_queued(self, request, queryset):
        self._end_queued(request, queryset, as_spam=False)

    @admin.action(description=_("Mark selected queued chats as spam"))
    def mark_queued_spam(self, request, queryset):
        self._end_queued(request, queryset, as_spam=True)

@admin.register(Listener)
class ListenerAdmin(ChannelScoped, admin.ModelAdmin):
    list_display = ["session", "agent_name", "reason", "started_at", "closed_at"]
    list_filter = ["reason"]
    list_select_related = ["session", "agent"]
    fields = readonly_fields = ["session", "agent_name", "reason", "started_at", "closed_at"]

    agent_name = person_column(Listener, "agent")

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(session__channel_id__in=channel_ids)

    # The record of who listened to which chat: the services write it, nobody edits or removes it here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BlockedAddress)
class BlockedAddressAdmin(ChannelScoped, PeopleByName, admin.ModelAdmin):
    """Addresses blocked after a spam chat; a manager lifts a block by deleting it or shortening it."""

    list_display = ["address", "channel", "until", "blocked_by_name", "session", "created_at"]
    list_filter = ["channel"]
    search_fields = ["address"]
    list_select_related = ["channel", "blocked_by", "session"]
    fields = ["channel", "address", "until", "blocked_by_name", "session"]
    readonly_fields = ["blocked_by_name", "session"]

    blocked_by_name = person_column(BlockedAddress, "blocked_by")

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(channel_id__in=channel_ids)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.blocked_by = request.user
        super().save_model(request, obj, form, change)


TEAM_TEXT_KINDS = [PredefinedText.Kind.REPLY_TEMPLATE, PredefinedText.Kind.FAQ]


class TeamTextForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=[(kind.value, kind.label) for kind in TEAM_TEXT_KINDS])
    # A plain text field, so "/Refund" typed the way agents use it is accepted and stored as "refund".
    shortcut = forms.CharField(
        label=_("shortcut"), max_length=41, help_text=PredefinedText._meta.get_field("shortcut").help_text
    )

    class Meta:
        model = PredefinedText
        fields = ["kind", "title", "shortcut", "text", "language"]

    def clean_shortcut(self):
        shortcut = self.cleaned_data["shortcut"].removeprefix("/").lower()
        validate_slug(shortcut)
        return shortcut

    def clean(self):
        cleaned = super().clean()
        taken = PredefinedText.objects.filter(
            kind__in=TEAM_TEXT_KINDS, shortcut=cleaned.get("shortcut"), language=cleaned.get("language")
        ).exclude(pk=self.instance.pk)
        if cleaned.get("shortcut") and taken.exists():
            self.add_error("shortcut", _("Another reply template or FAQ in this language already uses this shortcut."))
        return cleaned


class TeamTextKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.value, kind.label) for kind in TEAM_TEXT_KINDS]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(PredefinedText)
class PredefinedTextAdmin(admin.ModelAdmin):
    """The team's reply templates and FAQs, kept by managers. Quick replies are each agent's own, made
    and changed in the workspace's "Insert text" picker, so they are not listed here."""

    form = TeamTextForm
    list_display = ["title", "shortcut", "kind", "language"]
    list_filter = [TeamTextKindFilter, "language"]
    search_fields = ["title", "shortcut", "text"]
    ordering = ["kind", "language", "shortcut"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind__in=TEAM_TEXT_KINDS)

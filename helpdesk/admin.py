from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chat.models import ChatSession
from helpdesk import roles
from helpdesk.models import Activity, AgentProfile, Contact, Request
from helpdesk.templatetags.people import person


# The product's name, not "Django administration", in the people's language.
admin.site.site_header = _("Helpdesk administration")
admin.site.site_title = _("Helpdesk administration")
admin.site.index_title = _("Channels, chats and people")


def managed_channel_ids(request) -> list[int] | None:
    """The channels whose records this person may read and change in the admin: those they manage (by their
    channel rights, or everywhere with "Can take over and transfer any chat"); None for a superuser: all."""
    if request.user.is_superuser:
        return None
    return roles.channels_where(request.user, "is_manager")


class ChannelScoped:
    """For a ModelAdmin: a manager of one channel sees and changes only that channel's rows, in the lists, on
    a forged change page and in every search; `in_channels` says which rows are a channel's."""

    def in_channels(self, queryset, channel_ids):
        raise NotImplementedError

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        channel_ids = managed_channel_ids(request)
        return queryset if channel_ids is None else self.in_channels(queryset, channel_ids)

    def _in_scope(self, request, obj):
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A row cannot be moved to, or made on, a channel its editor does not manage, nor linked to a chat of one."""
        channel_ids = managed_channel_ids(request)
        if channel_ids is not None and db_field.name == "channel":
            kwargs["queryset"] = db_field.related_model.objects.filter(pk__in=channel_ids)
        elif channel_ids is not None and db_field.related_model is ChatSession:
            kwargs["queryset"] = ChatSession.objects.filter(channel_id__in=channel_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def contacts_of_channels(channel_ids):
    """Contacts a channel's team has met: linked to one of its chats or requests."""
    return Q(pk__in=ChatSession.objects.filter(channel_id__in=channel_ids).values("contact_id")) | Q(
        pk__in=Request.objects.filter(channel_id__in=channel_ids).values("contact_id")
    )


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of people by the name the workspace shows them by, not by their login."""

    def label_from_instance(self, obj):
        return person(obj)


class PeopleByName:
    """For a ModelAdmin or an inline: every select of a user lists people by name."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is get_user_model():
            kwargs.setdefault("form_class", PersonChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def person_column(model, field_name):
    """A list column or read-only field showing the person in a user field by name: the admin would show
    their login (a user's str())."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name, ordering=f"{field_name}__first_name")
    def show(model_admin, obj):
        return person(getattr(obj, field_name)) or None  # None: the admin's "-" for nobody

    return show


@admin.register(AgentProfile)
class AgentProfileAdmin(PeopleByName, admin.ModelAdmin):
    list_display = ["__str__", "status", "status_changed_at", "language"]
    list_filter = ["status", "language"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(Request)
class RequestAdmin(ChannelScoped, PeopleByName, admin.ModelAdmin):
    list_display = ["pk", "title", "name", "email", "source", "channel", "assigned_to_name", "created_at"]
    list_filter = ["source", "channel"]
    list_select_related = ["channel", "assigned_to"]
    search_fields = ["title", "name", "email", "body"]
    autocomplete_fields = ["contact"]  # a select of every contact would not scale

    assigned_to_name = person_column(Request, "assigned_to")

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(channel_id__in=channel_ids)


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ["created_at", "kind", "title", "session", "created_by_name"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    created_by_name = person_column(Activity, "created_by")

    def get_queryset(self, request):
        """A contact met on two channels: each channel's manager reads only their own channel's transcripts."""
        queryset = super().get_queryset(request)
        channel_ids = managed_channel_ids(request)
        if channel_ids is None:
            return queryset
        return queryset.filter(Q(session__isnull=True) | Q(session__channel_id__in=channel_ids))


@admin.register(Contact)
class ContactAdmin(ChannelScoped, admin.ModelAdmin):
    list_display = ["__str__", "email", "phone", "company", "created_at"]
    search_fields = ["first_name", "last_name", "email", "company"]
    inlines = [ActivityInline]

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(contacts_of_channels(channel_ids))


@admin.register(Activity)
class ActivityAdmin(ChannelScoped, admin.ModelAdmin):
    """Activities are records of what happened (an ended chat's transcript): read, not edited."""

    list_display = ["title", "contact", "kind", "created_at", "created_by_name"]
    list_filter = ["kind"]
    search_fields = ["title", "text", "contact__first_name", "contact__last_name", "contact__email"]
    list_select_related = ["contact", "created_by"]
    fields = readonly_fields = ["contact", "session", "kind", "title", "text", "created_by_name", "created_at"]

    created_by_name = person_column(Activity, "created_by")

    def in_channels(self, queryset, channel_ids):
        """A chat's transcript belongs to the chat's channel; a note on a contact, to the contact's."""
        contacts = Contact.objects.filter(contacts_of_channels(channel_ids)).values("pk")
        return queryset.filter(Q(session__channel_id__in=channel_ids) | Q(session__isnull=True, contact__in=contacts))

    def has_add_permission(self, request):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """Django's user admin, with each person's name beside their login."""

    list_display = ["username", "full_name", "email", "is_staff", "is_active"]

    @admin.display(description=_("name"), ordering="first_name")
    def full_name(self, obj):
        return obj.get_full_name() or None

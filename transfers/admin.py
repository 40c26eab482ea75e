from django.contrib import admin

from helpdesk.admin import ChannelScoped, person_column
from transfers.models import Transfer

# A user's own str() is their login: these show the person by name instead.
NAMED_PEOPLE = {
    "from_agent": "from_name", "to_agent": "to_name", "requested_by": "requested_by_name",
    "decided_by": "decided_by_name",
}


@admin.register(Transfer)
class TransferAdmin(ChannelScoped, admin.ModelAdmin):
    """The hand-over history: read-only, since every change goes through transfers.services."""

    list_display = [
        "session", "kind", "from_name", "to_name", "requested_by_name", "status", "created_at", "decided_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["session", "from_agent", "to_agent", "requested_by"]

    from_name = person_column(Transfer, "from_agent")
    to_name = person_column(Transfer, "to_agent")
    requested_by_name = person_column(Transfer, "requested_by")
    decided_by_name = person_column(Transfer, "decided_by")

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(session__channel_id__in=channel_ids)

    def get_fields(self, request, obj=None):
        return [NAMED_PEOPLE.get(field.name, field.name) for field in self.model._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

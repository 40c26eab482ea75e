from django.contrib import admin

from transfers.models import Transfer


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    """The hand-over history: read-only, since every change goes through transfers.services."""

    list_display = ["session", "kind", "from_agent", "to_agent", "requested_by", "status", "created_at", "decided_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["session", "from_agent", "to_agent", "requested_by"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

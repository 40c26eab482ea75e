from django.contrib import admin

from helpdesk.models import Activity, AgentProfile, Contact, Request


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "status_changed_at", "language"]
    list_filter = ["status", "language"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "title", "name", "email", "source", "channel", "assigned_to", "created_at"]
    list_filter = ["source", "channel"]
    search_fields = ["title", "name", "email", "body"]
    autocomplete_fields = ["contact"]  # a select of every contact would not scale


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ["created_at", "kind", "title", "session", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "phone", "company", "created_at"]
    search_fields = ["first_name", "last_name", "email", "company"]
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Activities are records of what happened (an ended chat's transcript): read, not edited."""

    list_display = ["title", "contact", "kind", "created_at", "created_by"]
    list_filter = ["kind"]
    search_fields = ["title", "text", "contact__first_name", "contact__last_name", "contact__email"]
    list_select_related = ["contact", "created_by"]
    readonly_fields = ["contact", "session", "kind", "title", "text", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

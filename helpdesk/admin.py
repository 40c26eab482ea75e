from django.contrib import admin

from helpdesk.models import AgentProfile, Request


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

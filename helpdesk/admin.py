from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from helpdesk.models import Activity, AgentProfile, Contact, Request
from helpdesk.templatetags.people import person


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
class RequestAdmin(PeopleByName, admin.ModelAdmin):
    list_display = ["pk", "title", "name", "email", "source", "channel", "assigned_to_name", "created_at"]
    list_filter = ["source", "channel"]
    list_select_related = ["channel", "assigned_to"]
    search_fields = ["title", "name", "email", "body"]
    autocomplete_fields = ["contact"]  # a select of every contact would not scale

    assigned_to_name = person_column(Request, "assigned_to")


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ["created_at", "kind", "title", "session", "created_by_name"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    created_by_name = person_column(Activity, "created_by")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "phone", "company", "created_at"]
    search_fields = ["first_name", "last_name", "email", "company"]
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Activities are records of what happened (an ended chat's transcript): read, not edited."""

    list_display = ["title", "contact", "kind", "created_at", "created_by_name"]
    list_filter = ["kind"]
    search_fields = ["title", "text", "contact__first_name", "contact__last_name", "contact__email"]
    list_select_related = ["contact", "created_by"]
    fields = readonly_fields = ["contact", "session", "kind", "title", "text", "created_by_name", "created_at"]

    created_by_name = person_column(Activity, "created_by")

    def has_add_permission(self, request):
        return False

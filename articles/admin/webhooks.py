"""Webhook endpoints and their delivery log: for the Admin role only (articles/publishing/rules.py)."""

from django import forms
from django.contrib import admin, messages

from ..models import EVENTS, Delivery, Endpoint
from ..publishing import rules
from ..webhooks import worker


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=1000, assume_scheme="https",
                         help_text="Where the POSTs go (https:// in production).")
    events = forms.MultipleChoiceField(choices=EVENTS, widget=forms.CheckboxSelectMultiple,
                                       help_text="What this endpoint receives.")

    class Meta:
        model = Endpoint
        fields = ("url", "description", "secret", "events", "active")


class AdminRoleOnly:
    """Every permission on these pages also needs the Admin role's webhook permission."""

    def has_module_permission(self, request):
        return rules.may_manage_webhooks(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return rules.may_manage_webhooks(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return rules.may_manage_webhooks(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return rules.may_manage_webhooks(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return rules.may_manage_webhooks(request.user) and super().has_delete_permission(request, obj)


@admin.register(Endpoint)
class EndpointAdmin(AdminRoleOnly, admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "description", "active", "event_list", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description")

    @admin.display(description="events")
    def event_list(self, obj):
        return ", ".join(obj.events or [])


@admin.register(Delivery)
class DeliveryAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("occurred_at", "event", "url", "status", "attempts", "response_code", "next_attempt_at",
                    "delivered_at")
    list_filter = ("status", "event", "kind")
    search_fields = ("url", "event", "last_error")
    date_hierarchy = "occurred_at"
    list_select_related = ("endpoint",)
    readonly_fields = ("kind", "endpoint", "url", "event", "article_id", "category_id", "context", "body",
                       "occurred_at", "status", "attempts", "next_attempt_at", "response_code", "last_error",
                       "delivered_at")
    actions = ["resend"]

    def has_add_permission(self, request, *args):
        return False  # deliveries come from events, never by hand

    @admin.action(description="Resend the selected deliveries", permissions=["change"])
    def resend(self, request, queryset):
        copies = worker.resend(list(queryset))
        self.message_user(request, f"Queued {len(copies)} deliveries again.", messages.SUCCESS)

from django import forms
from django.contrib import admin, messages

from marketplace_ops.models import ApiToken
from marketplace_ops.services.tokens import InvalidScope, api_token_create, api_token_revoke, parse_scopes


class ApiTokenCreateForm(forms.ModelForm):
    scopes_text = forms.CharField(
        label="Scopes", help_text="Comma-separated, e.g. alerts:write, config:read:production, releases:*"
    )

    class Meta:
        model = ApiToken
        fields = ("name", "scopes_text", "expires_at", "user")

    def clean_scopes_text(self):
        try:
            return parse_scopes(self.cleaned_data["scopes_text"])
        except InvalidScope as exc:
            raise forms.ValidationError(str(exc))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "scope_list", "state", "expires_at", "last_used_at", "last_used_ip", "created_by")
    list_select_related = ("created_by",)
    search_fields = ("name", "key_prefix")
    actions = ["revoke"]
    readonly_fields = ("name", "key_prefix", "scopes", "user", "created_by", "created_at", "expires_at", "revoked_at", "last_used_at", "last_used_ip")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("name", "scopes_text", "expires_at", "user") if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        token, raw = api_token_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes_text"],
            expires_at=form.cleaned_data.get("expires_at"),
            user=form.cleaned_data.get("user"),
            acting_user=request.user,
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            f"Token created. Copy it now, it will not be shown again: {raw}",
            messages.WARNING,
        )

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes or [])

    @admin.display(description="state")
    def state(self, obj):
        if obj.revoked_at:
            return "revoked"
        return "active" if obj.is_active else "expired"

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, acting_user=request.user)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

"""The public subscribe form (rate-limited per client IP and per address through the cache)."""


from django import forms
from django.conf import settings

from marketplace_ops.ratelimit import rate_limit_hit


def _hit(key: str, *, limit: int, window: int) -> bool:
    return rate_limit_hit("statuspage", key, limit=limit, window=window)


class SubscribeForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email address")
    scope = forms.ChoiceField(choices=[("all", "All components"), ("some", "Only the components I choose")],
                              initial="all", widget=forms.RadioSelect)
    components = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    # A field people do not see; bots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, components=(), client_ip: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["components"].choices = [(str(c.pk), c.name) for c in components]
        self.client_ip = client_ip or "unknown"

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError("Your request could not be accepted.")
        if data.get("scope") == "some" and not data.get("components"):
            self.add_error("components", "Choose at least one component, or all components.")
        limit = settings.STATUSPAGE_SUBSCRIBE_RATE_LIMIT
        window = settings.STATUSPAGE_SUBSCRIBE_RATE_WINDOW_SECONDS
        email = (data.get("email") or "").strip().lower()
        if not self.errors:
            if not _hit(f"ip:{self.client_ip}", limit=limit, window=window) or (
                email and not _hit(f"email:{email}", limit=limit, window=window)
            ):
                raise forms.ValidationError(
                    f"Too many subscription requests; try again in {max(window // 60, 1)} minutes.", code="rate_limited")
        return data

"""FSM buttons that go through services and say why a transition was refused."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from django_fsm.admin import FSMAdminMixin, FSMObjectTransition, FSMTransitionContext


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(f"{'' if f == '__all__' else f + ': '}{m}" for f, ms in exc.message_dict.items() for m in ms)
        return " ".join(exc.messages)
    if isinstance(exc, ConcurrentTransition):
        return "Someone else changed this record at the same moment; reload the page and try again."
    return str(exc) or "This step is not allowed from the current state."


class ServiceFSMAdminMixin(FSMAdminMixin):
    """Buttons for every transition from the current state (conditions are checked when clicked,
    so a refusal can say why); each click calls `run_transition`, i.e. a service."""

    fsm_fields = ["status"]

    def run_transition(self, request, obj, name: str, data: dict):
        raise NotImplementedError

    def transition_form(self, request, obj, name: str, data):
        """Return a bound/unbound form for transitions needing input, else None."""
        return None

    def _get_fsm_extra_context(self, *, request, obj):
        if obj is None:
            return
        available = []
        for transition in obj.get_all_status_transitions():
            if transition.source not in (obj.status, "*") or not self.is_fsm_transition_visible(transition):
                continue
            if not transition.has_perm(obj, request.user):
                continue
            available.append(FSMTransitionContext(name=transition.name, label=self.get_fsm_label(transition),
                                                  help_text=self.get_help_text(transition)))
        if available:
            yield FSMObjectTransition(fsm_field="status", block_label="Lifecycle", available_transitions=available)

    def get_fsm_transition_form(self, transition):
        return forms.Form if transition.custom.get("form") else None

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        try:
            self.run_transition(request, obj, transition_name, dict(kwargs or {}))
        except (ValidationError, TransitionNotAllowed, ConcurrentTransition) as exc:
            self.message_user(request, error_text(exc), level=messages.ERROR)
            return False
        self.message_user(request, f"{self.model._meta.verbose_name.capitalize()} {obj}: "
                                   f"{transition_name.replace('_', ' ')} done.", level=messages.SUCCESS)
        return True

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        transition = self._get_fsm_transition_by_name(obj=obj, transition_name=transition_name)
        change_url = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        if not transition.has_perm(obj, user=request.user):
            self.message_user(request, "You may not do this step.", level=messages.ERROR)
            return redirect(change_url, object_id=obj.pk)
        data = request.POST if request.method == "POST" else None
        form = self.transition_form(request, obj, transition_name, data)
        if form is None:
            return redirect(change_url, object_id=obj.pk)
        if request.method == "POST" and form.is_valid():
            try:
                self.run_transition(request, obj, transition_name, form.cleaned_data | {"_form": form})
            except (ValidationError, TransitionNotAllowed, ConcurrentTransition) as exc:
                if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    form.add_error(None, error_text(exc))
            else:
                self.message_user(request, f"{obj}: {transition_name.replace('_', ' ')} done.", level=messages.SUCCESS)
                return redirect(change_url, object_id=obj.pk)
        context = admin.site.each_context(request) | {
            "opts": self.opts, "original": obj, "transition_form": form,
            "transition": FSMTransitionContext(name=transition_name, label=self.get_fsm_label(transition),
                                               help_text=self.get_help_text(transition)),
        }
        return render(request, self.fsm_transition_form_template, context)


class StaleFormMixin(forms.ModelForm):
    """Refuses a save when the row changed after the form was opened (two people editing)."""

    loaded_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # also when bound, so an unchanged form has no changed_data
            self.fields["loaded_updated_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_updated_at")
        if self.instance.pk and loaded:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
            if current and current.isoformat() != loaded:
                raise ValidationError(
                    f"This record was changed by someone else at {current:%Y-%m-%d %H:%M:%S} UTC after you opened "
                    "it. Nothing was saved: reload the page and apply your edits again."
                )
        return cleaned

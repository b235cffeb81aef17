"""FSM buttons that go through the incident services and say why a step was refused."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from django_fsm.admin import FSMAdminMixin, FSMObjectTransition, FSMTransitionContext

REFUSALS = (ValidationError, TransitionNotAllowed, ConcurrentTransition)


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(f"{'' if f in ('__all__', 'transition') else f + ': '}{m}"
                            for f, ms in exc.message_dict.items() for m in ms)
        return " ".join(exc.messages)
    if isinstance(exc, ConcurrentTransition):
        return "Someone else changed this incident at the same moment; reload the page and try again."
    return str(exc) or "This step is not allowed from the current state."


class ServiceFSMAdminMixin(FSMAdminMixin):
    """Buttons for every transition from the current state (conditions are checked on click, so a
    refusal can say why); each click calls `run_transition`, i.e. a service."""

    fsm_fields = ["status"]
    transition_permission = None  # "app_label.codename"
    transition_forms: dict = {}

    def run_transition(self, request, obj, name: str, data: dict):
        raise NotImplementedError

    def may_transition(self, request) -> bool:
        return self.transition_permission is None or request.user.has_perm(self.transition_permission)

    def _get_fsm_extra_context(self, *, request, obj):
        if obj is None or not self.may_transition(request):
            return
        available = [
            FSMTransitionContext(name=t.name, label=self.get_fsm_label(t), help_text=self.get_help_text(t))
            for t in obj.get_all_status_transitions()
            if t.source in (obj.status, "*") and self.is_fsm_transition_visible(t)
        ]
        if available:
            yield FSMObjectTransition(fsm_field="status", block_label="Lifecycle", available_transitions=available)

    def get_fsm_transition_form(self, transition):
        return self.transition_forms.get(transition.name)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        if not self.may_transition(request):
            self.message_user(request, "You may not move incidents through their lifecycle.", level=messages.ERROR)
            return False
        try:
            self.run_transition(request, obj, transition_name, dict(kwargs or {}))
        except REFUSALS as exc:
            self.message_user(request, error_text(exc), level=messages.ERROR)
            return False
        self.message_user(request, f"{obj}: {transition_name.replace('_', ' ')} done.", level=messages.SUCCESS)
        return True

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        transition = self._get_fsm_transition_by_name(obj=obj, transition_name=transition_name)
        form_class = self.get_fsm_transition_form(transition)
        if not self.may_transition(request) or form_class is None:
            if not self.may_transition(request):
                self.message_user(request, "You may not move incidents through their lifecycle.", level=messages.ERROR)
            return redirect(change_url, object_id=obj.pk)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                self.run_transition(request, obj, transition_name, form.cleaned_data)
            except REFUSALS as exc:
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


class ResolveForm(forms.Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="What fixed it.")
    message = forms.CharField(required=False, label="Timeline note")


class ReasonForm(forms.Form):
    message = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}))

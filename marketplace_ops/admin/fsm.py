"""FSM buttons in the admin that go through services and say why a step was refused.

Shared by every domain admin with a lifecycle: the buttons come from django-fsm-2's
`FSMAdminMixin`; each click calls `run_transition` (the domain's service), and a refusal —
a failed condition, a validation error, a concurrent change — becomes the message the user sees.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from django_fsm.admin import FSMAdminMixin, FSMObjectTransition, FSMTransitionContext

REFUSALS = (ValidationError, TransitionNotAllowed, ConcurrentTransition)
HIDDEN_ERROR_FIELDS = ("__all__", "transition")


def error_text(exc: Exception, *, noun: str = "record") -> str:
    """One readable sentence for a refused step."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(
                f"{'' if field in HIDDEN_ERROR_FIELDS else field + ': '}{message}"
                for field, field_messages in exc.message_dict.items()
                for message in field_messages
            )
        return " ".join(exc.messages)
    if isinstance(exc, ConcurrentTransition):
        return f"Someone else changed this {noun} at the same moment; reload the page and try again."
    return str(exc) or "This step is not allowed from the current state."


class ServiceFSMAdminMixin(FSMAdminMixin):
    """Buttons for every transition from the current state (conditions are checked on click, so a
    refusal can say why). Subclasses implement `run_transition`; transitions that need input
    name a form in `transition_forms` or build it in `transition_form`."""

    fsm_fields = ["status"]
    transition_permission = None  # "app_label.codename" needed for any button
    transition_forms: dict = {}

    def run_transition(self, request, obj, name: str, data: dict):
        raise NotImplementedError(f"{type(self).__name__} must call its service in run_transition")

    def transition_form(self, request, obj, name: str, data):
        """A bound (POST) or unbound form for a transition that needs input, else None."""
        form_class = self.transition_forms.get(name)
        return form_class(data) if form_class else None

    def may_transition(self, request) -> bool:
        return self.transition_permission is None or request.user.has_perm(self.transition_permission)

    def _noun(self) -> str:
        return str(self.opts.verbose_name)

    def _get_fsm_extra_context(self, *, request, obj):
        if obj is None or not self.may_transition(request):
            return
        available = [
            FSMTransitionContext(name=t.name, label=self.get_fsm_label(t), help_text=self.get_help_text(t))
            for t in obj.get_all_status_transitions()
            if t.source in (obj.status, "*") and self.is_fsm_transition_visible(t) and t.has_perm(obj, request.user)
        ]
        if available:
            yield FSMObjectTransition(fsm_field="status", block_label="Lifecycle", available_transitions=available)

    def get_fsm_transition_form(self, transition):
        if transition.name in self.transition_forms:
            return self.transition_forms[transition.name]
        return forms.Form if transition.custom.get("form") else None

    def _refuse(self, request):
        self.message_user(
            request, f"You may not move {self.opts.verbose_name_plural} through their lifecycle.", level=messages.ERROR
        )

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        if not self.may_transition(request):
            self._refuse(request)
            return False
        try:
            self.run_transition(request, obj, transition_name, dict(kwargs or {}))
        except REFUSALS as exc:
            self.message_user(request, error_text(exc, noun=self._noun()), level=messages.ERROR)
            return False
        self.message_user(request, f"{obj}: {transition_name.replace('_', ' ')} done.", level=messages.SUCCESS)
        return True

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        transition = self._get_fsm_transition_by_name(obj=obj, transition_name=transition_name)
        if not self.may_transition(request) or not transition.has_perm(obj, user=request.user):
            self._refuse(request)
            return redirect(change_url, object_id=obj.pk)
        form = self.transition_form(request, obj, transition_name, request.POST if request.method == "POST" else None)
        if form is None:
            return redirect(change_url, object_id=obj.pk)
        if request.method == "POST" and form.is_valid():
            try:
                self.run_transition(request, obj, transition_name, form.cleaned_data | {"_form": form})
            except REFUSALS as exc:
                if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    form.add_error(None, error_text(exc, noun=self._noun()))
            else:
                self.message_user(request, f"{obj}: {transition_name.replace('_', ' ')} done.", level=messages.SUCCESS)
                return redirect(change_url, object_id=obj.pk)
        context = admin.site.each_context(request) | {
            "opts": self.opts,
            "original": obj,
            "transition_form": form,
            "transition": FSMTransitionContext(
                name=transition_name, label=self.get_fsm_label(transition), help_text=self.get_help_text(transition)
            ),
        }
        return render(request, self.fsm_transition_form_template, context)

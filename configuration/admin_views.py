"""Admin screens: versions, diff, rollback, reveal, compare/promote, change-set actions.
Every write calls a service; secrets never appear unless revealed (audited)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from configuration import services
from configuration.choices import ENVIRONMENT_ORDER, ChangeSetState, Environment
from configuration.crypto import canonical_json
from configuration.diffing import version_diff
from configuration.forms import ApproveForm, ChangeSetForm, ReasonForm
from configuration.models import ChangeSet, ConfigurationItem
from configuration.selectors import compare_environments
from configuration.services.common import APPLY_PERMISSION, APPROVE_PERMISSION, environment_row


def _ctx(request, title, **extra):
    return {**admin.site.each_context(request), "title": title, "opts": ConfigurationItem._meta, **extra}


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def versions_view(request, pk):
    _require(request, "configuration.view_configurationitem")
    item = get_object_or_404(ConfigurationItem.objects.select_related("updated_by"), pk=pk)
    rows = list(ConfigurationItem.history.filter(key=item.key, environment=item.environment)
                .select_related("history_user").order_by("-history_id")[:200])
    return TemplateResponse(request, "configuration/admin/versions.html", _ctx(
        request, f"Versions of {item.key} in {item.environment}", item=item, rows=rows,
        can_rollback=request.user.has_perm("configuration.change_configurationitem")))


def diff_view(request, pk):
    _require(request, "configuration.view_configurationitem")
    item = get_object_or_404(ConfigurationItem, pk=pk)
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", item.version))
        old, new = services.config_item_version(item, a), services.config_item_version(item, b)
    except (ValueError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(reverse("admin:configuration_item_versions", args=[pk]))
    return TemplateResponse(request, "configuration/admin/diff.html", _ctx(
        request, f"{item.key}: v{a} → v{b}", item=item, a=old, b=new, rows=version_diff(old, new)))


def rollback_view(request, pk, version):
    _require(request, "configuration.change_configurationitem")
    item = get_object_or_404(ConfigurationItem, pk=pk)
    form = ReasonForm(request.POST or None, initial={"reason": f"rollback to v{version}"})
    if request.method == "POST" and form.is_valid():
        try:
            result = services.config_item_rollback(item=item, to_version=version, acting_user=request.user,
                                                   reason=form.cleaned_data["reason"].removeprefix(f"rollback to v{version}").strip(": "))
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if result.applied:
                messages.success(request, f"{item.key} rolled back to v{version} as a new version.")
                return HttpResponseRedirect(reverse("admin:configuration_item_versions", args=[pk]))
            messages.warning(request, f"Rollback awaits approval in change set #{result.change_set.pk}.")
            return HttpResponseRedirect(reverse("admin:configuration_changeset_change", args=[result.change_set.pk]))
    return TemplateResponse(request, "configuration/admin/confirm.html", _ctx(
        request, f"Roll back {item.key} ({item.environment}) to v{version}", form=form, item=item,
        button="Roll back (creates a new version)"))


def reveal_view(request, pk):
    item = get_object_or_404(ConfigurationItem, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    value = services.config_item_reveal(item=item, acting_user=request.user, purpose="admin")
    return TemplateResponse(request, "configuration/admin/reveal.html", _ctx(
        request, f"Secret value of {item.key} ({item.environment})", item=item, value=value))


def compare_view(request):
    _require(request, "configuration.view_configurationitem")
    left = request.GET.get("left") or request.POST.get("left") or Environment.STAGING
    right = request.GET.get("right") or request.POST.get("right") or Environment.PRODUCTION
    if left not in ENVIRONMENT_ORDER or right not in ENVIRONMENT_ORDER:
        raise Http404("Unknown environment")
    form = ReasonForm(request.POST or None, initial={"reason": f"promote from {left}"})
    if request.method == "POST":
        _require(request, "configuration.add_changeset")
        keys = request.POST.getlist("keys")
        if form.is_valid():
            try:
                cs = services.config_changeset_promote(source=left, target=right, keys=keys,
                                                       acting_user=request.user, reason=form.cleaned_data["reason"])
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, f"Change set #{cs.pk} promotes {len(keys)} key(s) to {right}.")
                return HttpResponseRedirect(reverse("admin:configuration_changeset_change", args=[cs.pk]))
    return TemplateResponse(request, "configuration/admin/compare.html", _ctx(
        request, f"Compare {left} with {right}", left=left, right=right, result=compare_environments(left, right),
        environments=ENVIRONMENT_ORDER, form=form))


def changeset_context(request, object_id) -> dict:
    cs = ChangeSet.objects.filter(pk=object_id).first()
    if cs is None:
        return {}
    env = environment_row(cs.environment)
    valid = cs.approvals.filter(content_hash=cs.content_hash).exclude(approver_id=cs.author_id).count()
    user = request.user
    return {
        "cs": cs,
        "required_approvals": env.required_approvals,
        "valid_approvals": valid,
        "can_submit": cs.state == ChangeSetState.DRAFT and user.pk == cs.author_id,
        "can_approve": cs.state == ChangeSetState.PENDING and user.has_perm(APPROVE_PERMISSION) and user.pk != cs.author_id,
        "is_author_pending": cs.state == ChangeSetState.PENDING and user.pk == cs.author_id,
        "can_apply": cs.state == ChangeSetState.APPROVED and (user.has_perm(APPLY_PERMISSION) or not env.required_approvals),
        "can_reject": cs.is_editable and (user.pk == cs.author_id or user.has_perm(APPROVE_PERMISSION)),
        "approve_form": ApproveForm(),
        "reject_form": ReasonForm(),
    }


def changeset_action_view(request, pk, action):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request, "configuration.view_changeset")
    if action in ("submit", "apply") and not (request.user.has_perm("configuration.change_changeset")
                                               or request.user.has_perm(APPLY_PERMISSION)):
        raise PermissionDenied
    cs = get_object_or_404(ChangeSet, pk=pk)
    back = HttpResponseRedirect(reverse("admin:configuration_changeset_change", args=[pk]))
    try:
        if action == "submit":
            services.config_changeset_submit(change_set=cs, acting_user=request.user)
            messages.success(request, "Submitted for approval.")
        elif action == "approve":
            services.config_changeset_approve(change_set=cs, acting_user=request.user,
                                              comment=request.POST.get("comment", ""))
            messages.success(request, "Approved.")
        elif action == "reject":
            services.config_changeset_reject(change_set=cs, acting_user=request.user,
                                             reason=request.POST.get("reason", ""))
            messages.success(request, "Rejected.")
        elif action == "apply":
            cs = services.config_changeset_apply(change_set=cs, acting_user=request.user)
            messages.success(request, f"Applied as revision {cs.applied_revision} of {cs.environment}.")
        else:
            raise Http404("Unknown action")
    except services.StaleVersionError as exc:
        messages.error(request, "Nothing was applied; these keys moved on since the change set was made:")
        for conflict in exc.conflicts:
            messages.error(request, conflict["message"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return back


def _apply_form_errors(form, exc):
    if isinstance(exc, services.StaleVersionError):
        for conflict in exc.conflicts:
            form.add_error("operations", conflict["message"])
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else ("operations" if field.startswith("operations") else None)
            prefix = "" if target == field else f"{field}: "
            for message in (m for e in errors for m in e.messages):
                form.add_error(target, prefix + message)
        return
    form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))


def changeset_new_view(request):
    _require(request, "configuration.add_changeset")
    form = ChangeSetForm(request.POST or None, initial={"environment": request.GET.get("environment", "staging"),
                                                        "operations": "[]"})
    if request.method == "POST" and form.is_valid():
        try:
            cs = services.config_changeset_create(
                environment=form.cleaned_data["environment"], title=form.cleaned_data["title"],
                reason=form.cleaned_data["reason"], operations=form.cleaned_data["operations"],
                acting_user=request.user, submit=False)
        except (ValidationError, PermissionDenied) as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, f"Draft change set #{cs.pk} created; submit it for approval when ready.")
            return HttpResponseRedirect(reverse("admin:configuration_changeset_change", args=[cs.pk]))
    return TemplateResponse(request, "configuration/admin/confirm.html", _ctx(
        request, "New configuration change set", form=form, button="Create draft"))


def changeset_edit_view(request, pk):
    _require(request, "configuration.change_changeset")
    cs = get_object_or_404(ChangeSet, pk=pk)
    ops = [{"key": o.key, "op": o.op, "value": o.value, "base_version": o.base_version}
           for o in cs.operations.all() if not o.sensitive]
    form = ChangeSetForm(request.POST or None, editing=cs, initial={
        "environment": cs.environment, "title": cs.title, "reason": "", "operations": canonical_json(ops)})
    if request.method == "POST" and form.is_valid():
        try:
            services.config_changeset_update_operations(change_set=cs, operations=form.cleaned_data["operations"],
                                                        acting_user=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            _apply_form_errors(form, exc)
        else:
            messages.success(request, "Operations updated; approvals given for the earlier content no longer count.")
            return HttpResponseRedirect(reverse("admin:configuration_changeset_change", args=[cs.pk]))
    return TemplateResponse(request, "configuration/admin/confirm.html", _ctx(
        request, f"Edit operations of change set #{cs.pk}", form=form, button="Save operations"))

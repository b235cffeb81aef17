"""Thin admin: lists, badges, the objectives board; actions call services (via tasks)."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from backups.models import BackupPolicy, BackupRestore, BackupRun, ExternalBackupReport, RecoveryObjective

COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "verified": "#2e7d32",
           "succeeded": "#1565c0", "failed": "#c62828", "verification_failed": "#c62828", "running": "#6a1b9a",
           "scheduled": "#757575", "expired": "#9e9e9e"}


def enqueue_or_report(model_admin, request, task, *args) -> bool:
    """Queue a job for the worker; if the broker does not answer, say so instead of a 500."""
    try:
        task.delay(*args)
    except Exception as exc:  # kombu/redis connection errors vary by transport
        model_admin.message_user(
            request,
            f"Could not start the job: the task broker does not answer ({exc.__class__.__name__}). "
            "Nothing was started; try again once /healthz reports the broker up.",
            messages.ERROR,
        )
        return False
    return True


def badge(text, key=None):
    return format_html('<span style="padding:1px 6px;border-radius:3px;color:#fff;background:{}">{}</span>',
                       COLOURS.get(key or text, "#616161"), text)


def human_size(size):
    if size is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BackupPolicy)
class BackupPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "target", "backup_type", "schedule", "component", "enabled", "next_run_at")
    list_select_related = ("component",)
    list_filter = ("target", "backup_type", "enabled")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("next_run_at", "created_at", "updated_at")
    actions = ["run_now"]

    def save_model(self, request, obj, form, change):
        from backups.services import policy_save

        policy_save(policy=obj, acting_user=request.user, reason="admin")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Back up now", permissions=["run"])
    def run_now(self, request, queryset):
        from backups.tasks import run_policy_now

        started = sum(enqueue_or_report(self, request, run_policy_now, policy.pk, request.user.pk) for policy in queryset)
        if started:
            self.message_user(request, f"{started} backup(s) started; see Backup runs.", messages.SUCCESS)

    def has_run_permission(self, request):
        return request.user.has_perm("backups.run_backup")


@admin.register(BackupRun)
class BackupRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "policy", "backup_type", "status_badge", "size", "age", "verified_badge", "chain_link",
                    "trigger")
    list_select_related = ("policy",)
    list_filter = ("status", "backup_type", "policy__target", "policy")
    search_fields = ("sha256", "storage_name", "policy__name")
    actions = ["verify", "restore_to_scratch"]
    readonly_fields = [f.name for f in BackupRun._meta.fields] + ["chain_text"]

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return badge(obj.get_status_display(), obj.status)

    @admin.display(description="size", ordering="size_bytes")
    def size(self, obj):
        return human_size(obj.size_bytes)

    @admin.display(description="age", ordering="finished_at")
    def age(self, obj):
        return timesince(obj.finished_at, timezone.now()) if obj.finished_at else "-"

    @admin.display(description="verified")
    def verified_badge(self, obj):
        if obj.status == "verified":
            return badge("✓ verified", "verified")
        if obj.status == "verification_failed":
            return badge("✗ failed", "failed")
        return "-"

    @admin.display(description="chain")
    def chain_link(self, obj):
        if obj.parent_id is None:
            return "full" if obj.backup_type == "full" else "-"
        url = reverse("admin:backups_backuprun_change", args=[obj.parent_id])
        return format_html('<a href="{}">← #{}</a>', url, obj.parent_id)

    @admin.display(description="chain (full first)")
    def chain_text(self, obj):
        return " → ".join(f"#{run.pk} {run.backup_type} ({run.status})" for run in obj.chain())

    @admin.action(description="Verify (test restore)", permissions=["verify"])
    def verify(self, request, queryset):
        from backups.tasks import verify_run

        if sum(enqueue_or_report(self, request, verify_run, run.pk, request.user.pk) for run in queryset):
            self.message_user(request, "Verification started; see Backup restores for progress.", messages.SUCCESS)

    @admin.action(description="Restore to scratch (new database / file)", permissions=["restore"])
    def restore_to_scratch(self, request, queryset):
        from backups.tasks import restore_run_to_scratch

        started = 0
        for run in queryset:
            if run.status != "verified":
                self.message_user(request, f"Run #{run.pk} is {run.get_status_display().lower()}, not verified: "
                                  "verify it first (or use manage.py backup_restore --force).", messages.ERROR)
                continue
            started += enqueue_or_report(self, request, restore_run_to_scratch, run.pk, request.user.pk)
        if started:
            self.message_user(request, f"{started} restore(s) to scratch started; see Backup restores for "
                              "progress.", messages.SUCCESS)

    def has_verify_permission(self, request):
        return request.user.has_perm("backups.verify_backuprun")

    def has_restore_permission(self, request):
        return request.user.has_perm("backups.restore_backuprun")


@admin.register(BackupRestore)
class BackupRestoreAdmin(ReadOnlyAdmin):
    list_display = ("id", "run", "kind", "status", "progress", "destination", "duration_seconds", "started_at",
                    "requested_by")
    list_select_related = ("run__policy",)
    list_filter = ("kind", "status")

    @admin.display(description="progress")
    def progress(self, obj):
        return format_html(
            '<div style="width:120px;background:#eee;border-radius:3px"><div style="width:{}%;background:{};'
            'color:#fff;font-size:10px;padding:1px 3px">{}%</div></div> {}',
            obj.progress_percent, COLOURS["red"] if obj.status == "failed" else COLOURS["green"],
            obj.progress_percent, obj.progress_message)


@admin.register(RecoveryObjective)
class RecoveryObjectiveAdmin(admin.ModelAdmin):
    list_display = ("component", "rpo", "rto", "rpo_badge", "rto_badge", "checked_at")
    list_select_related = ("component",)
    readonly_fields = ("rpo_state", "rto_state", "rpo_breached_since", "rto_breached_since", "checked_at")
    change_list_template = "admin/backups/recoveryobjective/change_list.html"

    @admin.display(description="RPO state")
    def rpo_badge(self, obj):
        return badge(obj.rpo_state)

    @admin.display(description="RTO state")
    def rto_badge(self, obj):
        return badge(obj.rto_state)

    def changelist_view(self, request, extra_context=None):
        from backups.selectors import objectives_board

        return super().changelist_view(request, {**(extra_context or {}), "board": objectives_board()})

    def get_urls(self):
        return [path("board/", self.admin_site.admin_view(self.board_view), name="backups_objectives_board"),
                *super().get_urls()]

    def board_view(self, request):
        from backups.selectors import objectives_board

        context = {**self.admin_site.each_context(request), "title": "Backup objectives per component",
                   "rows": objectives_board()}
        return TemplateResponse(request, "admin/backups/objectives_board.html", context)


@admin.register(ExternalBackupReport)
class ExternalBackupReportAdmin(ReadOnlyAdmin):
    list_display = ("component", "backup_type", "outcome", "finished_at", "size_bytes", "reported_by",
                    "restore_seconds")
    list_select_related = ("component",)
    list_filter = ("component", "outcome", "backup_type")

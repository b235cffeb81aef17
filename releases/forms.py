"""Forms for the approval page and the admin transitions that need input."""

from django import forms


class ApprovalDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.HiddenInput)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              help_text="Required when you reject: say what must change.")
    acknowledge_conflict = forms.BooleanField(required=False, label="I acknowledge the scheduling conflict")


class RollbackReleaseForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the release is rolled back.")
    incident_id = forms.IntegerField(required=False, min_value=1, label="Incident id",
                                     help_text="Optional: the incident this rollback answers.")
    restore_config = forms.BooleanField(required=False, label="Restore the pinned production configuration revision")


class CompleteReleaseForm(forms.Form):
    """Lists the unchecked verification steps as checkboxes (filled by the admin view)."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.BooleanField(
                required=False, label=str(item), initial=item.checked_at is not None,
                disabled=item.checked_at is not None,
                help_text=f"checked by {item.checked_by} at {item.checked_at:%Y-%m-%d %H:%M}" if item.checked_at else "",
            )

    def checked_ids(self) -> list[int]:
        return [int(name[5:]) for name, value in self.cleaned_data.items()
                if name.startswith("item_") and value and not self.fields[name].disabled]


class ChangeReviewForm(forms.Form):
    review_testing = forms.CharField(label="Post-implementation testing", widget=forms.Textarea(attrs={"rows": 3}))
    review_performance = forms.CharField(label="Performance observations", required=False,
                                         widget=forms.Textarea(attrs={"rows": 3}))
    review_user_feedback = forms.CharField(label="User feedback", required=False,
                                           widget=forms.Textarea(attrs={"rows": 3}))
    review_lessons_learned = forms.CharField(label="Lessons learned", widget=forms.Textarea(attrs={"rows": 3}))


class CabVoteForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    acknowledge_conflict = forms.BooleanField(required=False, label="I acknowledge the scheduling conflict")


class ReleaseApprovalAdminForm(forms.Form):
    role = forms.ChoiceField(choices=())
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    acknowledge_conflict = forms.BooleanField(required=False, label="I acknowledge the scheduling conflict")

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, r) for r in roles]

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils import timezone

from core.fields import BoundedModelChoiceField, BoundedModelMultipleChoiceField, bounded_formfield

from .models import Concern, Department, User, WorkingSession
from .services import VERDICTS
from .signoff import parse_stamp
from .tasks import send_password_reset


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=[(key, key) for key in VERDICTS])
    text = forms.CharField(
        label="Conditions or reason",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for every verdict but a plain approval.",
    )
    # The terms the reviewer is looking at (terms_stamp): a verdict covers only those.
    terms_seen = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        max_length=10000,
        error_messages={"max_length": "This review page is out of date: reload it."},
    )

    def clean_terms_seen(self) -> str:
        stamp = self.cleaned_data["terms_seen"]
        if parse_stamp(stamp) is None:
            # The field is hidden, so a field error would show nowhere: the form says it.
            self.add_error(None, "This review page is out of date: reload it.")
        return stamp

    def clean(self):
        data = super().clean()
        verdict = data.get("verdict")
        if verdict and VERDICTS[verdict][1] and not data.get("text", "").strip():
            self.add_error("text", VERDICTS[verdict][1])
        return data


class ReassignForm(forms.Form):
    reviewer = BoundedModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone in the department"
    )

    def __init__(self, *args, department: Department, members: list[User] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        field.queryset = User.objects.filter(memberships__department=department, is_active=True)
        field.label = f"Assign to a colleague in {department.name}"
        if members is not None:
            # Already loaded by the page: render from the list instead of a second query.
            field.choices = [("", field.empty_label)] + [(m.pk, str(m)) for m in members]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConcernForm(forms.ModelForm):
    class Meta:
        model = Concern
        formfield_callback = bounded_formfield
        fields = ["title", "detail", "department", "severity", "blocking"]
        widgets = {"detail": forms.Textarea(attrs={"rows": 4})}


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label="How was it resolved?", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SessionForm(forms.ModelForm):
    class Meta:
        model = WorkingSession
        formfield_callback = bounded_formfield
        fields = [
            "title",
            "starts_at",
            "duration_minutes",
            "location",
            "agenda",
            "departments",
            "invitees",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "departments": forms.CheckboxSelectMultiple,
            "invitees": forms.SelectMultiple(attrs={"size": 8}),
        }
        labels = {"duration_minutes": "Duration (minutes)", "invitees": "People invited"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invitees"].queryset = User.objects.filter(is_active=True)
        self.fields["duration_minutes"].widget.attrs.update(min=15, max=480)
        # The form reads the time in the current zone: the person's (core.timezones).
        self.fields[
            "starts_at"
        ].help_text = f"In your time zone, {timezone.get_current_timezone_name()}."

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at < timezone.now():
            raise forms.ValidationError("Schedule the session in the future.")
        return starts_at

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if not 15 <= minutes <= 480:
            raise forms.ValidationError("A session lasts between 15 minutes and 8 hours.")
        return minutes

    def clean(self):
        data = super().clean()
        if not data.get("departments") and not data.get("invitees"):
            raise forms.ValidationError("Invite at least one department or person.")
        return data


class SessionRescheduleForm(SessionForm):
    """What a reschedule changes: when, where and the agenda. The invitees stay the same
    and get the update."""

    class Meta(SessionForm.Meta):
        fields = ["starts_at", "duration_minutes", "location", "agenda"]
        labels = {"duration_minutes": "Duration (minutes)"}

    def __init__(self, *args, **kwargs) -> None:
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.fields["duration_minutes"].widget.attrs.update(min=15, max=480)

    def clean(self):
        return forms.ModelForm.clean(self)


class SessionRecordForm(forms.Form):
    outcomes = forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(
        label="Decisions taken",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attendees = BoundedModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, session: WorkingSession, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = session.invitees.all()


class QueuedPasswordResetForm(PasswordResetForm):
    """Password-reset mail goes out from a worker (stakeholders.accounts): a slow or
    unreachable SMTP server neither delays nor fails the page that asked for it."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # Only the user id, site and scheme travel through the broker: the worker
        # makes the token itself, so no reset link sits in Redis.
        args = (context["user"].pk, context["domain"], context["protocol"])
        transaction.on_commit(lambda: send_password_reset.delay(*args), robust=True)

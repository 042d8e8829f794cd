from __future__ import annotations

from django import forms

from core.timezones import zone_choices

from .models import DEFAULT_CHANNEL, EVENT_KINDS, Channel, Weekday


class DigestPreferenceForm(forms.Form):
    subscribed = forms.BooleanField(label="Send me the weekly digest", required=False)
    weekday = forms.TypedChoiceField(
        label="Digest day",
        choices=Weekday.choices,
        coerce=int,
        help_text="The digest arrives early that morning.",
    )
    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=zone_choices,
        required=False,
        help_text="Dates and times in Deal Desk and in your emails are shown in it; "
        "reminders and the digest arrive in your morning.",
    )


class EventChannelsForm(forms.Form):
    """One choice per kind of event: email and in the app, in the app only, or off."""

    def __init__(self, *args, channels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in EVENT_KINDS:
            self.fields[kind] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                initial=channels.get(kind, DEFAULT_CHANNEL),
            )

"""Send this period's weekly digests now, to everyone subscribed who has not had one."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.timezones import local_now
from notifications.delivery import deliver
from notifications.digests import (
    digest_contexts,
    digest_period,
    digest_recipients,
    digest_summary,
    plan_digests,
)
from notifications.models import Notification
from notifications.outbox import batches


class Command(BaseCommand):
    help = (
        "Send this week's digest now to every subscribed person who has not had one this "
        "week, whatever their digest day. --dry-run lists who would get what."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get what; send nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        today = timezone.localdate()
        period = digest_period(today)
        if dry_run:
            self._dry_run(period)
            return
        ids = plan_digests(everyone=True)
        totals = {"sent": 0, "cancelled": 0, "refused": 0, "skipped": 0}
        # In this process, batch after batch: "now" means now, with or without workers.
        for batch in batches(ids):
            for key, value in deliver(ids=batch).as_dict().items():
                totals[key] += value
        self.stdout.write(
            f"Digests for {period}: {totals['sent']} sent, {totals['skipped']} skipped "
            f"(sent already or being sent), {totals['cancelled']} with nothing to send, "
            f"{totals['refused']} refused by the mail server."
        )

    def _dry_run(self, period: str) -> None:
        now = timezone.now()
        people = [
            (pk, email, local_now(zone, now).date())
            for pk, email, zone in digest_recipients(everyone=True).values_list(
                "pk", "email", "time_zone"
            )
        ]
        # Each person's week is the one of their own local date (see plan_digests).
        done = set(
            Notification.objects.filter(
                key__in=[f"digest:{pk}:{digest_period(day)}" for pk, _, day in people],
                sent_at__isnull=False,
            ).values_list("recipient_id", flat=True)
        )
        todo = [(pk, day) for pk, _, day in people if pk not in done]
        self.stdout.write(
            f"Digests for {period}: {len(todo)} to send, {len(done)} sent already (dry run)."
        )
        day_of = dict(todo)
        for batch in batches(list(day_of)):
            contexts = {}
            for day in {day_of[pk] for pk in batch}:
                contexts |= digest_contexts([pk for pk in batch if day_of[pk] == day], today=day)
            for pk in batch:
                context = contexts[pk]
                self.stdout.write(f"  {context['user'].email}: {digest_summary(context)}")

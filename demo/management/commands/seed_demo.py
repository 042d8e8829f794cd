from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from analytics.backfill import backfill
from core import freshness
from deals import tally_sql
from deals.models import Deal
from demo.agreements import seed_agreements
from demo.amendments import seed_amendments
from demo.bulk import seed_bulk
from demo.deals import seed_portfolio
from demo.intake import seed_intake
from demo.partners import ensure_partners
from demo.people import DEMO_PASSWORD, LOGINS, ensure_people
from demo.playbooks import seed_playbooks
from demo.rates import ensure_rates
from demo.value import seed_value


class Command(BaseCommand):
    help = "Load the demo portfolio and logins (safe to run again); --deals N adds N bulk deals."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--deals", type=int, default=0, help="Also add this many synthetic deals (benchmarks)."
        )

    def handle(self, *args, deals: int, **options) -> None:
        # Amendments, intake requests and playbooks go through the services, which notify
        # people: the demo's story is told in the app (the bell), and its mail printed to
        # the console would bury the logins below.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.seed(deals)

    def seed(self, deals: int) -> None:
        if deals < 0:
            raise CommandError("--deals must be zero or more")
        people = ensure_people()
        partnerships = ensure_partners(people)
        if ensure_rates():
            self.stdout.write("Added the demo exchange rates.")
        made = seed_portfolio(people, partnerships)
        if made:
            self.stdout.write(f"Created the demo portfolio: {made} deals.")
        else:
            self.stdout.write("The desk already has deals; demo portfolio left as it is.")
        if deals:
            self.stdout.write(f"Adding {deals} synthetic deals…")
            seed_bulk(deals)
            self.stdout.write(f"Added {deals} synthetic deals.")
        valued = seed_value(Deal.objects.all())  # only deals without a business case yet
        if valued:
            self.stdout.write(f"Gave {valued} deals a business case, metrics and a journey.")
        agreed = seed_agreements()
        if agreed:
            self.stdout.write(f"Opened {agreed} agreements of signed deals, with their deadlines.")
        amended = seed_amendments()
        if amended:
            self.stdout.write(f"Drafted {amended} amendments: one approved, one proposed.")
        requested = seed_intake()
        if requested:
            self.stdout.write(f"Added three request types and {requested} requests through them.")
        playbooks = seed_playbooks(people)
        if playbooks:
            self.stdout.write(f"Wrote {playbooks} clause playbooks and placed demo terms in them.")
        # The audit rows above were written in bulk, past the analytics subscriber: its
        # intervals are built from them (only what is missing; nothing twice).
        built = backfill()
        if built.created or built.updated:
            self.stdout.write(f"Where time goes: {built.created} intervals from the audit trail.")
        # Bulk inserts bypass the audited services: tell cached summaries. The tallies'
        # triggers counted every row; fold them, as the beat task would.
        freshness.bump()
        # Twice, as two runs of the beat task would: the first fold lands after the rows
        # it replaces, the second where the first reclaim() freed pages, so the tables
        # shrink to their rows.
        for _ in range(2):
            tally_sql.compact()
            tally_sql.reclaim()
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login in LOGINS:
            self.stdout.write(f"  {login.email:<24} {login.description}")

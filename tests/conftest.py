"""Shared fixtures: the personas every access test uses, the deals they meet, and services."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO

import pytest
from django.core.files.base import File
from django.db import models, transaction
from django.test import override_settings

from agreements.models import Agreement, Amendment, AmendmentChange, ChangeKind, Obligation
from deals.models import BriefingPack, ContractDocument, PackStatus, Stage
from deals.services import deal_advance
from playbooks.models import ClauseType, Playbook, PlaybookVersion, Position
from stakeholders.models import Department, ReviewRule, Role, User
from stakeholders.services import review_give_verdict
from tests.factories import (
    AssumptionFactory,
    BusinessCaseFactory,
    CheckInFactory,
    ConcernFactory,
    DealFactory,
    DecisionFactory,
    JourneyStageFactory,
    OutcomeMetricFactory,
    PartnershipFactory,
    PartnershipGoalFactory,
    TermFactory,
    UserFactory,
    WorkingSessionFactory,
)
from tests.intake.builders import build_form
from tests.personas import ROUTED, Personas, make_personas

# Real hashing costs ~0.3 s a user; tests check access, not hash strength.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_data_version():
    # Cached summaries are keyed by user id, which the next test may reuse: a new
    # data version makes them unreachable (without flushing a Redis that Celery shares).
    from core.freshness import bump

    bump()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture
def partnership(personas):
    return PartnershipFactory(sponsor=personas.executive)


@pytest.fixture
def deal(personas, partnership):
    return DealFactory(partnership=partnership, owner=personas.owner, sponsor=personas.executive)


@pytest.fixture
def confidential_deal(personas, partnership):
    return DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        confidential=True,
        stage=Stage.INTAKE,
        title="Secret merger talks",
    )


# --- Deals in review, built through the services (stage changes, reviews, audit rows) ----


@pytest.fixture
def deal_in_review(personas, partnership):
    """A deal ("Cloud migration") moved from Business case to Review by deal_advance: the
    review rules asked Legal, Procurement and IT, whose reviews are pending (and audited)."""
    deal = DealFactory(
        title="Cloud migration",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.BUSINESS_CASE,
    )
    return deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)


@pytest.fixture
def deal_in_negotiation_all_approved(personas, deal_in_review):
    """deal_in_review moved on to Negotiation, then approved by Legal, Procurement and IT
    through review_give_verdict: nothing holds the gate to Approved."""
    deal = deal_advance(deal=deal_in_review, user=personas.owner, to_stage=Stage.NEGOTIATION)
    for slug in ROUTED:
        review_give_verdict(
            review=deal.reviews.get(department__slug=slug),
            user=getattr(personas, slug),
            verdict="approve",
        )
    return deal


@pytest.fixture
def deal_in_review_without_reviews(personas, partnership):
    """A deal ("Cloud contact centre") moved to Review by deal_advance while no review rule
    was active, so no department was asked: each test adds the reviews it is about (their
    due dates, reviewers, departments) with ReviewFactory."""
    deal = DealFactory(
        title="Cloud contact centre",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.BUSINESS_CASE,
    )
    rules = list(ReviewRule.objects.filter(active=True).values_list("pk", flat=True))
    ReviewRule.objects.filter(pk__in=rules).update(active=False)
    deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    ReviewRule.objects.filter(pk__in=rules).update(active=True)
    return deal


# --- One data set for a whole module of access tests -------------------------------------


@dataclass
class AccessWorld:
    """The personas, an executive who sponsors nothing here, and two deals in review that
    `owner` owns, `executive` sponsors and Legal, Procurement and IT review: one
    confidential, one open. Each deal's objects are keyed by kind ("deal", "review", …)."""

    personas: Personas
    other_executive: User
    confidential: dict[str, models.Model]
    open: dict[str, models.Model]
    shared: dict[str, models.Model] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        """The persona playing a role of tests.personas.ROLES (None: anonymous)."""
        if role == "anonymous":
            return None
        if role == "sponsor":
            return self.personas.executive
        if role == "other_executive":
            return self.other_executive
        return getattr(self.personas, role)


def _deal_with_everything(personas: Personas, partnership, **fields) -> dict[str, models.Model]:
    """A deal moved to Review (Legal, Procurement and IT asked) with one of each object a
    URL under it takes. Its business case comes after the move, so Finance was not asked."""
    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.BUSINESS_CASE,
        **fields,
    )
    deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    document = ContractDocument(
        deal=deal,
        original_name="msa.pdf",
        kind="pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=personas.owner,
    )
    document.file.save("msa.pdf", File(BytesIO(b"%PDF-1.7\n"), name="msa.pdf"), save=False)
    document.save()
    pack = BriefingPack.objects.create(
        deal=deal, requested_by=personas.executive, status=PackStatus.READY
    )
    pack.file.save("pack.pdf", File(BytesIO(b"%PDF-1.7\n"), name="pack.pdf"))
    metric = OutcomeMetricFactory(deal=deal)
    case = BusinessCaseFactory(deal=deal)
    # As if signed: an agreement with one obligation and its first occurrence.
    agreement = Agreement.objects.create(deal=deal, effective_date=deal.created_at.date())
    obligation = Obligation.objects.create(
        agreement=agreement,
        title="Quarterly report",
        owner=personas.owner,
        reviewer=personas.executive,
        first_due=agreement.effective_date,
    )
    term = TermFactory(deal=deal, title="Annual fee", wording="EUR 120,000 per year")
    # A draft amendment of it, with one change (the fee reworded).
    amendment = Amendment.objects.create(
        agreement=agreement,
        number=1,
        title="Price uplift",
        reason="Agreed at the QBR.",
        effective_date=agreement.effective_date,
        created_by=personas.owner,
    )
    change = AmendmentChange.objects.create(
        amendment=amendment,
        kind=ChangeKind.TERM_REVISE,
        term=term,
        department_id=term.department_id,
        before={"title": term.title, "wording": term.wording, "version": term.version},
        after={"title": term.title, "wording": "EUR 130,000 per year"},
    )
    return {
        "agreement": agreement,
        "amendment": amendment,
        "amendment_change": change,
        "occurrence": obligation.occurrences.create(due_on=obligation.first_due),
        "deal": deal,
        "review": deal.reviews.get(department__slug="legal"),
        "term": term,
        "concern": ConcernFactory(deal=deal, raised_by=personas.it),
        "session": WorkingSessionFactory(deal=deal),
        "decision": DecisionFactory(deal=deal),
        "document": document,
        "briefing_pack": pack,
        "metric": metric,
        "check_in": CheckInFactory(metric=metric),
        "business_case": case,
        "assumption": AssumptionFactory(business_case=case),
        "journey_stage": JourneyStageFactory(deal=deal),
    }


def _intake_form() -> dict[str, models.Model]:
    version = build_form([("purpose", "text", "Purpose", {"required": True})], name="Walked")
    return {"request_type": version.request_type, "form_version": version}


def _playbook_objects() -> dict[str, models.Model]:
    """Legal's playbook with one position, for the URLs that take them."""
    playbook = Playbook.objects.create(
        department=Department.objects.get(slug="legal"), title="Legal"
    )
    clause = ClauseType.objects.create(
        slug="liability-cap", name="Liability cap", department=playbook.department
    )
    version = PlaybookVersion.objects.create(playbook=playbook, number=1)
    position = Position.objects.create(
        version=version, clause_type=clause, tier="standard", wording="Capped at the fees."
    )
    return {"playbook": playbook, "playbook_position": position}


@pytest.fixture(scope="module")
def access_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[AccessWorld]:
    """Built once for the module that uses it, in a transaction rolled back after the
    module; each test's own changes roll back to it (as Django's setUpTestData). Tests
    using it take their personas from it, not from the `personas` fixture."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        personas = make_personas()
        partnership = PartnershipFactory(sponsor=personas.executive)
        link = PartnershipGoalFactory(partnership=partnership)
        yield AccessWorld(
            personas=personas,
            other_executive=UserFactory(email="exec2@example.test", roles=[Role.EXECUTIVE]),
            confidential=_deal_with_everything(
                personas, partnership, confidential=True, title="Project Nightjar"
            ),
            open=_deal_with_everything(personas, partnership, title="Project Kestrel"),
            shared={
                "partner": partnership.partner,
                "partnership": partnership,
                "goal": link.goal,
                # One of those the move into Review made for Legal's reviewer.
                "notification": personas.legal.notifications.filter(in_app=True).first(),
                # intake: a request type whose published form has one required question
                **_intake_form(),
                **_playbook_objects(),
            },
        )
        transaction.set_rollback(True)


@pytest.fixture
def client_for(client):
    """Log the test client in as someone: client_for(personas.owner)."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium; Playwright's own download does not work here."""
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def skip_or_fail(reason: str):
    """Outside CI a missing service skips with the reason; under CI it fails the run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"Cannot skip under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis of this machine (REDIS_URL in CI), checked to answer."""
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis is not reachable at {url}: {error}")
    return url


# --- Background work: a real SMTP server, in-process tasks, real Celery workers ---------


class SMTPRecorder:
    """An aiosmtpd handler that keeps what it receives and can misbehave on request.

    `refuse_data = n`: answer 451 (try again later) to the next n messages.
    `unknown = {address}`: answer 550 (no such mailbox) for these recipients.
    `stall_mail = (n, seconds)`: hold the answer to the next n MAIL FROM commands,
    so that a sender is caught mid-send; `mail_started` is set when one arrives.
    """

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.mail_started = threading.Event()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.messages: list = []
            self.refused = 0
            self.refuse_data = 0
            self.stall_mail = (0, 0.0)
            self.unknown: set[str] = set()  # addresses answered 550 (no such mailbox)
            self.mail_started.clear()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        import asyncio

        self.mail_started.set()
        with self.lock:
            count, seconds = self.stall_mail
            if count:
                self.stall_mail = (count - 1, seconds)
        if count:
            await asyncio.sleep(seconds)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        with self.lock:
            if self.refuse_data:
                self.refuse_data -= 1
                self.refused += 1
                return "451 4.3.0 Mailbox busy, try again later"
            self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> list:
        """The messages, once there are at least `count` of them (or the timeout passed)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    break
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port, for the whole session."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings) -> SMTPRecorder:
    """Mail goes to the real SMTP server; the test reads what it received."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.hostname
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    recorder = smtp_server.handler
    recorder.reset()
    yield recorder
    recorder.reset()


@pytest.fixture
def eager_tasks():
    """Tasks run in this process, as with no broker, whatever REDIS_URL says."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def celery_workers(redis_url, smtp_server, tmp_path):
    """Start real `celery worker` processes on Redis against the test database.

    They see only committed rows, so tests using this need
    django_db(transaction=True); and the test database must be a server, so
    on SQLite (in memory, this process only) they skip. Each test gets its own
    queue; every process started is killed at teardown.
    """
    import contextlib
    import signal
    import subprocess
    import sys
    import threading
    import time
    import uuid
    from pathlib import Path

    from celery import Celery
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "real-worker tests need the test database on PostgreSQL (SQLite's is in this "
            "process's memory); CI runs them there"
        )
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    queue = f"dealdesk-test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": f"smtp://{smtp_server.hostname}:{smtp_server.port}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DB_CONN_MAX_AGE": "0",
        # Small, so that a task of a dead worker comes back in seconds, not an hour.
        "CELERY_TASK_TIME_LIMIT": "5",
        "CELERY_VISIBILITY_TIMEOUT": "6",
        "NOTIFICATION_RETRY_BACKOFF": "1",
        "NOTIFICATION_RETRY_MAX": "2",
        "LOGIN_LOCKOUT_ENABLED": "0",
    }
    root = Path(__file__).resolve().parent.parent
    sender = Celery("dealdesk-tests", broker=redis_url)

    class Workers:
        def __init__(self) -> None:
            self.processes: list[subprocess.Popen] = []
            self.logs: list[list[str]] = []
            self.queue = queue

        def start(self, timeout: float = 30.0) -> subprocess.Popen:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "config", "worker",
                    "--pool=prefork", "-c", "1", "-Q", queue, "--loglevel=INFO",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                    "-n", f"{queue}-{len(self.processes)}@%h",
                ],
                cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, start_new_session=True,
            )  # fmt: skip
            lines: list[str] = []
            ready = threading.Event()

            def read() -> None:
                for line in process.stdout:
                    lines.append(line)
                    if " ready." in line:
                        ready.set()

            threading.Thread(target=read, daemon=True).start()
            self.processes.append(process)
            self.logs.append(lines)
            if not ready.wait(timeout):
                raise AssertionError("The worker did not start:\n" + "".join(lines))
            return process

        def log(self) -> str:
            return "".join(line for lines in self.logs for line in lines)

        def send(self, task: str, *args) -> None:
            sender.send_task(task, args=list(args), queue=queue)

        @staticmethod
        def children(process: subprocess.Popen) -> list[int]:
            text = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
            return [int(pid) for pid in text.split()]

        @staticmethod
        def kill(process: subprocess.Popen) -> None:
            """SIGKILL the worker and its pool: nothing of it gets to clean up."""
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

        def wait_until(self, check, timeout: float = 20.0) -> bool:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if check():
                    return True
                time.sleep(0.1)
            return False

    workers = Workers()
    try:
        yield workers
    finally:
        for process in workers.processes:
            workers.kill(process)
        import redis

        redis.Redis.from_url(redis_url).delete(queue)
        sender.close()


@pytest.fixture(autouse=True)
def tallies_start_from_the_data(request):
    """SQLite empties a transactional test's database with DELETEs, in an order that lets
    the tally triggers (deals.tally_sql) leave -1 rows behind: recount before such a test.
    (PostgreSQL truncates, which fires no row trigger.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from django.db import connection

        from deals import tally_sql

        if connection.vendor == "sqlite":
            tally_sql.rebuild()

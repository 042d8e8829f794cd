"""Demo people: the logins shown by `seed_demo`, and colleagues without one.

Idempotent: users are looked up by email before they are created; roles and
department memberships are added when missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group

from stakeholders.models import Department, Membership, Role, User

DEMO_PASSWORD = "dealdesk-demo"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    first_name: str
    last_name: str
    job_title: str
    role: Role
    department: str | None = None

    @property
    def description(self) -> str:
        if self.department:
            name = self.department.upper() if len(self.department) <= 2 else self.department.title()
            return f"{name} reviewer"
        return self.role.label


LOGINS = [
    DemoLogin("exec@demo.test", "Eleanor", "Voss", "Chief Strategy Officer", Role.EXECUTIVE),
    DemoLogin("owner@demo.test", "Oliver", "Grant", "Head of Partnerships", Role.OWNER),
    DemoLogin("legal@demo.test", "Leila", "Haddad", "Senior Counsel", Role.REVIEWER, "legal"),
    DemoLogin(
        "procurement@demo.test", "Pedro", "Alves", "Category Manager", Role.REVIEWER, "procurement"
    ),
    DemoLogin("it@demo.test", "Ingrid", "Tanaka", "Enterprise Architect", Role.REVIEWER, "it"),
    DemoLogin(
        "finance@demo.test", "Farah", "Osei", "Finance Business Partner", Role.REVIEWER, "finance"
    ),
    DemoLogin("admin@demo.test", "Ada", "Brennan", "Deal Desk Administrator", Role.ADMINISTRATOR),
]
# Colleagues without a demo login, so that sponsors, owners and reviewers vary.
COLLEAGUES = [
    DemoLogin("marcus.hale@demo.test", "Marcus", "Hale", "Chief Financial Officer", Role.EXECUTIVE),
    DemoLogin("priya.raman@demo.test", "Priya", "Raman", "Director, Digital", Role.OWNER),
    DemoLogin("sam.okafor@demo.test", "Sam", "Okafor", "Security Lead", Role.REVIEWER, "security"),
    DemoLogin("jonas.berg@demo.test", "Jonas", "Berg", "Contracts Lawyer", Role.REVIEWER, "legal"),
]


def ensure_people() -> dict[str, User]:
    departments = {d.slug: d for d in Department.objects.all()}
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    people: dict[str, User] = {}
    for login in LOGINS + COLLEAGUES:
        user, created = User.objects.get_or_create(
            email=login.email,
            defaults={
                "first_name": login.first_name,
                "last_name": login.last_name,
                "job_title": login.job_title,
            },
        )
        if created:
            if login in LOGINS:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            if login.role == Role.ADMINISTRATOR:
                user.is_staff = True
                user.is_superuser = True
            user.save()
        if login.role.value in groups:
            user.groups.add(groups[login.role.value])
        if login.department and login.department in departments:
            Membership.objects.get_or_create(user=user, department=departments[login.department])
        people[login.email] = user
    return people

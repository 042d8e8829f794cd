"""The four roles as auth groups with their permissions, and the default departments.

Kept in code and applied after every migrate (and every test-database flush),
so a new model's permissions reach the roles without a hand-written data
migration. Departments are only created when missing: edits in the admin stay.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group, Permission

from .models import Department, ReviewRule, Role, RuleCondition

# app_label.codename for each role; administrators get everything.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.EXECUTIVE: [
        "deals.add_deal",
        "deals.change_deal",
        "partnerships.add_partner",
        "partnerships.change_partner",
        "partnerships.add_partnership",
        "partnerships.change_partnership",
        "partnerships.add_strategicgoal",
        "partnerships.change_strategicgoal",
    ],
    Role.OWNER: [
        "deals.add_deal",
        "deals.change_deal",
        "partnerships.add_partner",
        "partnerships.change_partner",
        "partnerships.add_partnership",
        "partnerships.change_partnership",
    ],
    Role.REVIEWER: [
        "stakeholders.change_review",
    ],
    Role.ADMINISTRATOR: [],
}

ADMIN_APPS = [
    "core",
    "deals",
    "partnerships",
    "stakeholders",
    "metrics",
    "playbooks",
    "notifications",
    "auth",
]


DEFAULT_DEPARTMENTS = [
    ("Legal", "legal", "Contract terms, liability and regulatory risk.", 5),
    ("Procurement", "procurement", "Price, payment terms and supplier due diligence.", 5),
    ("IT", "it", "Integration, architecture and time to deploy.", 5),
    ("Finance", "finance", "Business case, budget and Finance sign-off.", 5),
    ("Security", "security", "Data protection and information security.", 7),
]


# Who reviews by default; only installed while there are no rules at all, so an
# administrator's edits (including deleting a rule) stick.
DEFAULT_RULES = [
    ("legal", RuleCondition.ALWAYS, None),
    ("procurement", RuleCondition.ALWAYS, None),
    ("it", RuleCondition.ALWAYS, None),
    ("finance", RuleCondition.HAS_BUSINESS_CASE, None),
    ("security", RuleCondition.CUSTOMER_DATA, None),
    ("security", RuleCondition.VALUE_OVER, Decimal("1000000")),
]


def ensure_defaults(**kwargs) -> None:
    ensure_roles()
    for name, slug, description, sla in DEFAULT_DEPARTMENTS:
        Department.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "review_sla_days": sla}
        )
    if not ReviewRule.objects.exists():
        departments = {d.slug: d for d in Department.objects.all()}
        ReviewRule.objects.bulk_create(
            ReviewRule(department=departments[slug], condition=condition, threshold=threshold)
            for slug, condition, threshold in DEFAULT_RULES
            if slug in departments
        )


def ensure_roles() -> None:
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMINISTRATOR:
            wanted = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS).exclude(
                # Nobody changes or deletes the audit trail, administrators included.
                codename__in=["change_auditevent", "delete_auditevent", "add_auditevent"]
            )
        else:
            wanted = [
                p
                for p in Permission.objects.select_related("content_type").filter(
                    codename__in=[name.split(".")[1] for name in perms]
                )
                if f"{p.content_type.app_label}.{p.codename}" in perms
            ]
        group.permissions.set(wanted)

from django.db import migrations

DEPARTMENTS = [
    ("Legal", "legal", "Contract terms, liability and regulatory risk.", 5),
    ("Procurement", "procurement", "Price, payment terms and supplier due diligence.", 5),
    ("IT", "it", "Integration, architecture and time to deploy.", 5),
    ("Finance", "finance", "Business case, budget and Finance sign-off.", 5),
    ("Security", "security", "Data protection and information security.", 7),
]


def create_departments(apps, schema_editor):
    Department = apps.get_model("stakeholders", "Department")
    for name, slug, description, sla in DEPARTMENTS:
        Department.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "review_sla_days": sla}
        )


class Migration(migrations.Migration):
    dependencies = [("stakeholders", "0001_initial")]

    operations = [migrations.RunPython(create_departments, migrations.RunPython.noop)]

"""AuditEvent now lives in core (core 0001); its table and rows stay."""

from django.db import migrations


def _relabel(apps, old: str, new: str) -> None:
    # Admin permissions and log entries point at the content type: keep that row. If
    # the new label exists already (a migrate back and forth made it), leave both.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="auditevent").exists():
        ContentType.objects.filter(app_label=old, model="auditevent").update(app_label=new)


def move_content_type(apps, schema_editor):
    _relabel(apps, "deals", "core")


def move_content_type_back(apps, schema_editor):
    _relabel(apps, "core", "deals")


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0008_deal_title_trigram"),
        ("core", "0001_auditevent_from_deals"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]

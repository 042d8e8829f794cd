"""AuditEvent now lives in core (core 0001); its table and rows stay."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    # Admin permissions and log entries point at the content type: keep them.
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="deals", model="auditevent").update(app_label="core")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model="auditevent").update(app_label="deals")


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

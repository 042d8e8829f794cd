from django.db import migrations, models


def install(apps, schema_editor):
    """Install the triggers that keep Deal.waiting_on, then set it (deals.waiting)."""
    from deals import waiting

    waiting.drop_triggers(schema_editor)
    waiting.install_triggers(schema_editor)
    waiting.recount(schema_editor.connection)


def uninstall(apps, schema_editor):
    from deals import waiting

    waiting.drop_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0015_archived_index"),
        ("stakeholders", "0015_review_pending_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="deal",
            name="waiting_on",
            field=models.CharField(editable=False, max_length=10, null=True),
        ),
        migrations.RunPython(install, uninstall),
    ]

"""Fill the intervals from the audit trail already there (analytics.backfill: the same
function as `manage.py analytics_backfill`). It uses the current models, not the
historical ones: should Interval's fields change, make this a no-op and backfill with the
command after migrating."""

from django.db import migrations


def forwards(apps, schema_editor):
    from analytics.backfill import backfill

    backfill()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_intervals"), ("core", "0002_exchange_rates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_backfill"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="interval",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", False)),
                fields=["kind", "stage", "department", "days"],
                include=("deal", "business_days", "outcome", "round", "sla_days"),
                name="interval_ended_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="interval",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", False)),
                fields=["kind", "ended_at"],
                include=("deal", "days", "business_days", "outcome", "sla_days"),
                name="interval_ended_at_idx",
            ),
        ),
    ]

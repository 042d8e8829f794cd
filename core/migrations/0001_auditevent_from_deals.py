"""AuditEvent moves from deals to core. Only Django's state changes: the table
(deals_auditevent), its rows and its index stay as they are."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("deals", "0008_deal_title_trigram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("action", models.CharField(max_length=60)),
                        ("object_type", models.CharField(max_length=60)),
                        ("object_id", models.CharField(max_length=40)),
                        ("before", models.JSONField(blank=True, default=dict)),
                        ("after", models.JSONField(blank=True, default=dict)),
                        ("actor", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("deal", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="audit_events", to="deals.deal")),
                    ],
                    options={
                        "db_table": "deals_auditevent",
                        "ordering": ["-at", "-pk"],
                        "indexes": [models.Index(fields=["object_type", "object_id"], name="deals_audit_object__28e3ac_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

# Notification and DigestPreference move here from the stakeholders app. Their tables
# stay as they are (db_table pins the old names): this migration only tells Django's
# state that the models now belong to this app, and stakeholders 0006 removes them
# from that app's state. No row is copied.

import django.db.models.deletion
import django.utils.timezone
import notifications.models
from django.conf import settings
from django.db import migrations, models

MOVED = ["notification", "digestpreference"]


def move_content_types(apps, schema_editor, source="stakeholders", target="notifications"):
    """Give the existing content types the new app label, so their permissions (and the
    groups and people holding them, and admin log entries) stay attached. A fresh
    database has none yet: post_migrate creates them under the new label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        taken = ContentType.objects.using(db).filter(app_label=target, model=model).exists()
        if not taken:
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target
            )


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="notifications", target="stakeholders")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('stakeholders', '0005_review_open_inbox_partial_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DigestPreference',
                    fields=[
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='digest_preference', serialize=False, to=settings.AUTH_USER_MODEL)),
                        ('subscribed', models.BooleanField(default=True, verbose_name='send me the weekly digest')),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], default=notifications.models.default_digest_weekday, verbose_name='digest day')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'stakeholders_digestpreference',
                        'constraints': [models.CheckConstraint(condition=models.Q(('weekday__gte', 0), ('weekday__lte', 6)), name='digest_weekday_0_to_6')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('reminder', 'Review reminder'), ('escalation', 'Overdue review escalation'), ('stalled', 'Stalled deal escalation'), ('digest', 'Weekly digest')], max_length=20)),
                        ('key', models.CharField(max_length=200, unique=True)),
                        ('payload', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('claimed_by', models.CharField(blank=True, max_length=64)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'stakeholders_notification',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(condition=models.Q(('cancelled_at__isnull', True), ('sent_at__isnull', True)), fields=['created_at'], name='notification_unsent_idx'), models.Index(fields=['recipient', '-created_at'], name='stakeholder_recipie_99f10a_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]

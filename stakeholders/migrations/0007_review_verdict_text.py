"""A review ends in a verdict (a decision is the sponsor's): the column is renamed in
place, its text kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stakeholders", "0006_notifications_move_to_their_app")]

    operations = [
        migrations.RenameField(model_name="review", old_name="decision_text", new_name="verdict_text"),
    ]

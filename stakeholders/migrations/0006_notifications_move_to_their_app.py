# Notification and DigestPreference now belong to the notifications app (its 0001
# takes them over in the migration state). Their tables stay: this removes the models
# from this app's state only, and the database is not touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('stakeholders', '0005_review_open_inbox_partial_idx'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='DigestPreference'),
                migrations.DeleteModel(name='Notification'),
            ],
            database_operations=[],
        ),
    ]

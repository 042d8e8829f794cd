from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0003_digestpreference_notification"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["department", "status", "due_on"], name="review_inbox_idx"),
        ),
    ]

from django.db import migrations


def forwards(apps, schema_editor):
    from huodong.events.seed import seed_event_types

    seed_event_types(apps.get_model("events", "EventType"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

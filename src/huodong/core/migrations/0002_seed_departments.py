from django.db import migrations


def forwards(apps, schema_editor):
    from huodong.core.seed import seed_departments

    seed_departments(apps.get_model("core", "Department"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

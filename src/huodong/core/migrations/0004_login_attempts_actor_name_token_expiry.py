"""Sign-in attempts (the login throttle), the actor's name kept on audit rows, and an expiry on every token."""

import datetime as dt

import django.utils.timezone
from django.db import migrations, models

TOKEN_DAYS = 90  # core.services.TOKEN_DEFAULT_DAYS when this migration was written


def actor_names_and_token_expiry(apps, schema_editor):
    """Fill ``actor_name`` of the rows written so far, and give tokens without an expiry the default one.

    Runs before the append-only triggers exist (0005). The historical manager has no refusing
    ``update()``.
    """
    User = apps.get_model("core", "User")
    AuditEntry = apps.get_model("core", "AuditEntry")
    ApiToken = apps.get_model("core", "ApiToken")
    for user in User.objects.filter(pk__in=AuditEntry.objects.values("actor_id")).iterator():
        name = user.display_name or f"{user.first_name} {user.last_name}".strip() or user.username
        AuditEntry.objects.filter(actor_id=user.pk).update(actor_name=name[:150])
    expiry = django.utils.timezone.now() + dt.timedelta(days=TOKEN_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True, revoked_at__isnull=True).update(expires_at=expiry)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_revisions"),
    ]

    operations = [
        migrations.CreateModel(
            name="LoginAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="时间")),
                ("username", models.CharField(max_length=150, verbose_name="尝试的用户名")),
                ("address", models.CharField(max_length=64, verbose_name="来源地址")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("pending", "校验中"),
                            ("failed", "失败"),
                            ("succeeded", "成功"),
                            ("locked", "已锁定,未校验"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="结果",
                    ),
                ),
            ],
            options={
                "verbose_name": "登录尝试",
                "verbose_name_plural": "登录尝试",
                "indexes": [
                    models.Index(fields=["username", "at"], name="core_login_username_at"),
                    models.Index(fields=["address", "at"], name="core_login_address_at"),
                ],
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="操作人姓名"),
        ),
        migrations.RunPython(actor_names_and_token_expiry, migrations.RunPython.noop),
    ]

"""Each event type names the kit handed out at check-in (issue 10, EX-2): the five built-in types get
theirs (a product launch: 议程, 资料袋, 伴手礼 …), frozen here as the seed module may move on; types
administrators added start with agenda, brochure and gift. A type whose kit is already set is left alone.
"""

from django.db import migrations, models
from django.db.models import F

import huodong.events.models


def _k(code, name, name_en):
    return {"code": code, "name": name, "name_en": name_en}


AGENDA = _k("agenda", "议程", "Agenda")
DEFAULT = [AGENDA, _k("brochure", "资料", "Brochure"), _k("gift", "礼品", "Gift")]
KITS = {
    "product-launch": [AGENDA, _k("bag", "资料袋", "Info pack"), _k("gift", "伴手礼", "Gift")],
    "industry-summit": [
        AGENDA,
        _k("badge", "胸牌", "Badge"),
        _k("proceedings", "会刊", "Proceedings"),
        _k("bag", "资料袋", "Info pack"),
    ],
    "customer-appreciation": [
        _k("programme", "节目单", "Programme"),
        _k("seat", "座位卡", "Seat card"),
        _k("gift", "答谢礼品", "Thank-you gift"),
    ],
    "promotion": [
        _k("brochure", "产品手册", "Brochure"),
        _k("offer", "优惠券", "Offer voucher"),
        _k("gift", "小礼品", "Small gift"),
    ],
    "brand-salon": [AGENDA, _k("gift", "伴手礼", "Gift")],
}


def forwards(apps, schema_editor):
    EventType = apps.get_model("events", "EventType")
    for et in EventType.objects.all():
        if et.kit:
            continue
        kit = KITS.get(et.code, DEFAULT) if et.is_builtin else DEFAULT
        EventType.objects.filter(pk=et.pk).update(kit=kit, revision=F("revision") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_type_team_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventtype",
            name="kit",
            field=models.JSONField(blank=True, default=huodong.events.models._default_list, verbose_name="签到物料"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

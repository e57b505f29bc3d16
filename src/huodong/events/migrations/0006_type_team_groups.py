"""Each event type names the groups its project team starts with (issue 8, TM-2).

The five built-in types get theirs (the spec's 执行组, 宣传组, 后勤组; a summit adds 嘉宾组, an appreciation
evening 接待组, a promotion 销售支持组; a salon runs with two), frozen here as the seed module may move on.
Types administrators added start with the spec's three. A type whose groups are already set is left alone.
"""

from django.db import migrations, models
from django.db.models import F

import huodong.events.models


def _g(code, name, name_en, duties):
    return {"code": code, "name": name, "name_en": name_en, "duties": duties}


THREE = [
    _g("execution", "执行组", "Execution", "场地对接、流程执行、现场控场"),
    _g("publicity", "宣传组", "Publicity", "物料设计、推广宣传、媒体对接"),
    _g("logistics", "后勤组", "Logistics", "物资采购、嘉宾接待、应急物资"),
]
GROUPS = {
    "product-launch": THREE,
    "industry-summit": [*THREE, _g("speakers", "嘉宾组", "Speakers", "演讲嘉宾邀约与对接、议程与讲稿协调、嘉宾接送")],
    "customer-appreciation": [
        *THREE,
        _g("hospitality", "接待组", "Hospitality", "客户迎宾与座次、餐饮与节目衔接、礼品发放"),
    ],
    "promotion": [*THREE, _g("sales-support", "销售支持组", "Sales support", "促销政策讲解、订单登记、现场成交跟进")],
    "brand-salon": [_g("execution", "执行组", "Execution", "场地对接、流程执行、物资与嘉宾接待"), THREE[1]],
}


def forwards(apps, schema_editor):
    EventType = apps.get_model("events", "EventType")
    for et in EventType.objects.all():
        if et.team_groups:
            continue
        groups = GROUPS.get(et.code, THREE) if et.is_builtin else THREE
        EventType.objects.filter(pk=et.pk).update(team_groups=groups, revision=F("revision") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_transition_reason_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventtype",
            name="team_groups",
            field=models.JSONField(blank=True, default=huodong.events.models._default_list, verbose_name="项目组"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]

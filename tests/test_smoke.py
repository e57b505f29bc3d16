import pytest

pytestmark = pytest.mark.django_db


def test_event_home_renders_the_sixteen_steps(as_organiser, event):
    # REQ: LC-1
    resp = as_organiser.get(f"/events/{event.pk}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    for label in [
        "需求洞察",
        "目标设定",
        "方案设计",
        "审批定稿",
        "资源协调",
        "物料筹备",
        "人员培训",
        "通知发布",
        "场地布置",
        "流程执行",
        "现场监控",
        "突发应对",
        "数据汇总",
        "效果评估",
        "经验沉淀",
        "归档优化",
    ]:
        assert label in html

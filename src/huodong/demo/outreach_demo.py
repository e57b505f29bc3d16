"""The outreach part of the demo, on 「智启未来·华东巡展(杭州站)」 (the launch in preparation), through the
services (the rules are real):

- registration open until 20 April 18:00 with 120 seats, two questions, highlights and notes, a co-host;
- quotas: 销售部 brings 20 customers (李总监 the contact), 产品部 5 partners (周经理);
- 26 guests on the list from the two departments and marketing, some of them English-speaking;
- 8 of them registered on the public page (tickets issued, consent recorded: all for the event, some for
  marketing follow-up), one of them cancelled again on their ticket page;
- the collaboration letters prepared and queued for T-7 days (NT-1); the invitations to the guests still
  invited queued now by e-mail and SMS (NT-2) — the worker that ``make run`` starts delivers them (as .eml
  files under var/outbox/email without a mail server).

Loading twice changes nothing: it runs only while the event has no guests.
"""

from __future__ import annotations

from typing import Any

from huodong.core.models import Department, User
from huodong.events.models import Event
from huodong.outreach.models import Guest, GuestCategory
from huodong.outreach.services import guests as guest_services
from huodong.outreach.services import letters as letter_services
from huodong.outreach.services import quotas as quota_services
from huodong.outreach.services import registration as registration_services
from huodong.outreach.services import schedule as schedule_services

QUESTIONS: list[dict[str, Any]] = [
    {
        "code": "industry",
        "label": "所在行业",
        "label_en": "Industry",
        "kind": "choice",
        "choices": ["制造", "零售", "金融", "医疗", "其他"],
        "required": True,
    },
    {
        "code": "diet",
        "label": "饮食禁忌",
        "label_en": "Dietary needs",
        "kind": "text",
        "choices": [],
        "required": False,
    },
]

# name, company, title, mobile, e-mail, category, department, language
# fmt: off
GUESTS: list[tuple[str, str, str, str, str, str, str, str]] = [
    ("张伟", "华东智能制造有限公司", "采购总监", "13957100001", "zhangwei@hd-zhizao.cn", "customer", "sales", "zh-hans"),
    ("王芳", "杭州云栖零售集团", "IT 经理", "13957100002", "wangfang@yunqi-retail.cn", "customer", "sales", "zh-hans"),
    ("李娜", "浙江丝路物流", "运营副总", "13957100003", "lina@silkroad-log.cn", "vip", "sales", "zh-hans"),
    ("刘洋", "宁波港信息科技", "CTO", "13957100004", "liuyang@nbport-it.cn", "customer", "sales", "zh-hans"),
    ("陈静", "绍兴纺织集团", "信息中心主任", "13957100005", "chenjing@sx-textile.cn", "customer", "sales", "zh-hans"),
    ("杨磊", "嘉兴新能源", "总经理", "13957100006", "yanglei@jx-energy.cn", "vip", "sales", "zh-hans"),
    ("赵敏", "温州鞋业联合会", "秘书长", "13957100007", "zhaomin@wz-shoes.org", "customer", "sales", "zh-hans"),
    ("黄强", "金华五金城", "数字化负责人", "13957100008", "huangqiang@jh-hardware.cn", "customer", "sales", "zh-hans"),
    ("周杰", "台州汽配产业园", "副总裁", "13957100009", "zhoujie@tz-autoparts.cn", "customer", "sales", "zh-hans"),
    ("吴婷", "湖州竹业", "市场总监", "13957100010", "wuting@hz-bamboo.cn", "customer", "sales", "zh-hans"),
    ("徐刚", "舟山海洋科技", "IT 总监", "13957100011", "xugang@zs-ocean.cn", "customer", "sales", "zh-hans"),
    ("孙丽", "衢州化工", "采购经理", "13957100012", "sunli@qz-chem.cn", "customer", "sales", "zh-hans"),
    ("Emma Clarke", "Clarke & Sons Trading", "Regional Director", "+44 7911 123456", "emma@clarke-sons.co.uk", "customer", "sales", "en"),
    ("马超", "丽水生态农业", "董事长", "13957100014", "machao@ls-agri.cn", "vip", "sales", "zh-hans"),
    ("朱琳", "杭州湾智慧港", "规划部长", "13957100015", "zhulin@hzbay.cn", "customer", "sales", "zh-hans"),
    ("胡斌", "浙江数链科技", "产品 VP", "13957100016", "hubin@shulian.tech", "partner", "product", "zh-hans"),
    ("郭雪", "云途系统集成", "解决方案总监", "13957100017", "guoxue@yuntu-si.cn", "partner", "product", "zh-hans"),
    ("David Chen", "Pacific Cloud Partners", "Partner Manager", "+65 9123 4567", "david@pacific-cloud.sg", "partner", "product", "en"),
    ("林峰", "钱江资本", "投资总监", "13957100019", "linfeng@qj-capital.cn", "partner", "product", "zh-hans"),
    ("何静", "浙江日报科技版", "记者", "13957100020", "hejing@zjdaily.cn", "media", "marketing", "zh-hans"),
    ("高远", "36氪华东", "主编", "13957100021", "gaoyuan@36kr-east.cn", "media", "marketing", "zh-hans"),
    ("罗敏", "浙江大学", "教授", "13957100022", "luomin@zju.edu.cn", "speaker", "marketing", "zh-hans"),
    ("梁晨", "华东工业互联网联盟", "秘书长", "13957100023", "liangchen@ei-alliance.org", "speaker", "marketing", "zh-hans"),
    ("宋雨", "杭州数字经济联合会", "副会长", "13957100024", "songyu@hz-de.org", "vip", "marketing", "zh-hans"),
    ("谢飞", "示例科技华东大区", "销售经理", "13957100025", "xiefei@example.com", "employee", "sales", "zh-hans"),
    ("韩冰", "示例科技华东大区", "售前工程师", "13957100026", "hanbing@example.com", "employee", "product", "zh-hans"),
]
# fmt: on

# Who registers on the public page (by index in GUESTS), and who also agrees to marketing follow-up.
REGISTER = (0, 1, 2, 3, 12, 15, 17, 21)
MARKETING = (0, 2, 15)
CANCELS = 3  # registers, then cancels on the ticket page


def demo_outreach_load(*, event: Event, people: dict[str, User]) -> None:
    if Guest.objects.filter(event=event).exists():
        return
    organiser = people["organiser"]
    reg = registration_services.settings_of(event)
    registration_services.settings_update(
        actor=organiser,
        event=event,
        seen=reg.revision,
        is_open=True,
        deadline=event.starts_at.replace(day=20, hour=18, minute=0),
        capacity=120,
        questions=QUESTIONS,
        highlights="新一代智能办公平台华东首发;三位行业客户现场分享数字化实践;产品专家一对一体验区。",
        how_to_register="打开报名链接填写信息,报名成功后即收到电子票;每人一票,请勿转发。",
        notes="请提前 30 分钟到场签到,凭电子票二维码或票号入场;会场提供茶歇,停车请使用博览中心 P2 停车场。",
        cohosts="杭州数字经济联合会",
    )
    departments = {d.code: d for d in Department.objects.filter(code__in=["sales", "product", "marketing"])}
    quota_services.quota_add(
        actor=organiser,
        event=event,
        department=departments["sales"],
        quota=20,
        contact=people["reviewer_sales"],
    )
    quota_services.quota_add(
        actor=organiser,
        event=event,
        department=departments["product"],
        quota=5,
        contact=people["reviewer_product"],
    )
    inviter = {
        "sales": people["reviewer_sales"],
        "product": people["reviewer_product"],
        "marketing": organiser,
    }
    for i, (name, company, title, phone, email, category, dept, language) in enumerate(GUESTS):
        if i in REGISTER:
            continue
        guest_services.guest_add(
            actor=organiser,
            event=event,
            name=name,
            company=company,
            title=title,
            phone=phone,
            email=email,
            category=GuestCategory(category),
            department=departments[dept],
            invited_by=inviter[dept],
            language=language,
        )
    for i in REGISTER:
        name, company, title, phone, email, category, dept, language = GUESTS[i]
        guest = registration_services.register(
            event=event,
            name=name,
            phone=phone,
            email=email,
            company=company,
            title=title,
            answers={"industry": "制造" if i % 2 == 0 else "零售", "diet": "素食" if i == 2 else ""},
            consents={"operation": True, "marketing": i in MARKETING, "cohost": False},
            language=language,
            address="127.0.0.1",
        )
        # The departments' guests who registered keep their department (the quota counts them).
        Guest.objects.filter(pk=guest.pk).update(
            category=category, department=departments[dept], invited_by=inviter[dept]
        )
        if i == CANCELS:
            registration_services.registration_cancel(access_key=guest.access_key)
    letter_services.letters_queue(actor=organiser, event=event)
    schedule_services.invitations_send(actor=organiser, event=event, channels=["email", "sms"])

"""Page: the scanner of check-in staff at the door, on a phone (EX-2; issue 10 points 1, 3 and 4).

- ``checkin:scanner``: pick this device's gate once (kept on the device with a UUID it generates), then
  check guests in by camera, by a photo of the QR code, by a hardware scanner or a ticket code typed into a
  field, or by searching the guest list (name, pinyin, initials, last four digits of the phone; masked
  phones only). The page verifies the ticket's Ed25519 signature itself, shows the guest for the staff
  member to confirm, records the kit handed out, and shows the server's answer. A guest found by search
  without a ticket is checked in as 纸质签到. Without the network it keeps working from the offline pack
  and queues scans, then sends them in one batch (``static/checkin/scanner.js``).
- ``checkin:scanner_sw``: the service worker (under the page's path, so its scope covers the page) that
  keeps the page and its scripts for a reload without the network.

The page only renders; every scan goes through the API (``checkin.api.scan``), which calls the one service
(``checkin.services.redeem``).
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huodong.core.http import AuthedRequest
from huodong.core.pageflow import event_page
from huodong.events.access import Need
from huodong.events.models import Event
from huodong.outreach.models import GuestCategory

from ..selectors import category_label, gates_of
from ..services.redeem import gate_label

# Bump when the service worker's list or strategy changes: the old caches are dropped on activation.
SW_VERSION = "1"

# What the service worker keeps besides the page itself (served by the app, never a CDN).
ASSETS = (
    "huodong/huodong.css",
    "huodong/huodong.js",
    "huodong/favicon.svg",
    "vendor/htmx/htmx.min.js",
    "checkin/scanner.css",
    "checkin/scanner.js",
    "checkin/scanner-store.js",
    "vendor/jsqr/jsQR.js",
    "vendor/noble-ed25519/index.js",
)


def _strings() -> dict[str, str]:
    """The sentences scanner.js shows, translated here (placeholders as ``%(name)s``)."""
    return {
        "offline": _("离线模式:已暂存 %(n)s 条扫描,联网后自动一次性同步。"),
        "offline_none": _("离线模式:扫码仍可使用,签到将暂存在本机。"),
        "queued_online": _("有 %(n)s 条暂存的扫描等待同步。"),
        "syncing": _("正在同步 %(n)s 条暂存的扫描……"),
        "sync_done": _(
            "同步完成:成功 %(accepted)s 条,重复 %(duplicate)s 条,拒绝 %(refused)s 条,无效 %(invalid)s 条。"
        ),
        "sync_failed": _("同步失败:%(message)s 暂存的扫描仍保留在本机。"),
        "conflict": _(
            "冲突:%(guest)s 在 %(kept_gate)s(%(kept_at)s)和 %(other_gate)s(%(other_at)s)都签到了;以较早的 %(kept_gate)s 为准,已报告现场主管。"
        ),
        "pack_none": _("尚未下载嘉宾名单:请联网后打开本页。"),
        "pack_at": _("嘉宾名单:%(n)s 人,更新于 %(time)s"),
        "pack_failed": _("嘉宾名单更新失败,使用 %(time)s 的名单。"),
        "gate_none": _("未指定签到口"),
        "gate_saved": _("本机已设为:%(gate)s"),
        "gate_offline": _("本机已设为:%(gate)s(联网后登记)"),
        "camera_start": _("打开摄像头扫码"),
        "camera_stop": _("关闭摄像头"),
        "camera_failed": _("无法打开摄像头:%(message)s 请改用“扫描图片”或输入票号。"),
        "image_none": _("图片中未找到二维码,请重拍一张清晰的照片。"),
        "image_failed": _("无法读取这张图片。"),
        "not_ticket": _("无法识别此二维码:它不是本系统的电子票。"),
        "forged": _("电子票无效:签名不符,可能是伪造或被篡改的二维码。请核对身份后使用纸质签到。"),
        "other_event": _("这是另一场活动的电子票,不能在本活动签到。"),
        "superseded": _("此电子票已作废(嘉宾已重新出票,旧二维码失效)。请出示最新的电子票或使用纸质签到。"),
        "unknown": _("查无此嘉宾或票号。"),
        "unverifiable": _("本设备无法离线验证电子票(页面须通过 HTTPS 打开);请联网后再扫。"),
        "unknown_offline": _("离线名单中查无此嘉宾或票号;联网后可再试。"),
        "cancelled": _("%(name)s 的报名已取消,不能签到。"),
        "not_registered": _("%(name)s 尚未报名成功,不能凭票签到;请核对身份后使用纸质签到。"),
        "not_open": _("尚未开放签到:%(time)s 起可以签到。"),
        "closed": _("签到已于 %(time)s 结束。"),
        "duplicate_local": _("%(name)s 已于 %(time)s 在 %(gate)s 签到(本机记录)。"),
        "queued": _("已暂存:%(name)s(离线签到,联网后同步)。"),
        "accepted": _("签到成功:%(name)s"),
        "error": _("签到失败:%(message)s"),
        "server_error": _("服务器暂时无法处理(%(status)s),已暂存,稍后自动重试。"),
        "confirm": _("确认签到"),
        "confirm_paper": _("纸质签到"),
        "no_ticket": _("无电子票"),
        "checked_in": _("已签到"),
        "no_results": _("没有找到匹配的嘉宾。"),
        "more_results": _("还有 %(n)s 位,请输入更多字。"),
        "method_qr": _("扫码"),
        "method_code": _("票号"),
        "method_search": _("查找"),
        "method_paper": _("纸质签到"),
        "status_registered": _("已报名"),
        "status_invited": _("已邀请"),
        "status_checked_in": _("已签到"),
        "status_waitlisted": _("候补"),
        "status_cancelled": _("已取消"),
        "sign_in_again": _("登录已失效,请重新登录后再试;扫描已暂存。"),
        "print_badge": _("打印胸牌"),
    }


def _walkin_url(event: Event) -> str:
    """现场登记, when that page exists (``checkin:walkin``)."""
    try:
        return reverse("checkin:walkin", args=[event.pk])
    except NoReverseMatch:
        return ""


def _badge_url(event: Event) -> str:
    """胸牌 (``checkin:badges``), when that page exists."""
    try:
        return reverse("checkin:badges", args=[event.pk])
    except NoReverseMatch:
        return ""


@require_GET
@event_page(Need.CHECKIN)
def scanner(request: AuthedRequest, event: Event) -> HttpResponse:
    gates = [{"id": g.pk, "label": gate_label(g), "is_vip": g.is_vip} for g in gates_of(event)]
    config = {
        "event_id": event.pk,
        "pack_url": f"/api/events/{event.pk}/checkin/pack",
        "scan_url": f"/api/events/{event.pk}/checkin/scan",
        "sync_url": f"/api/events/{event.pk}/checkin/sync",
        "devices_url": f"/api/events/{event.pk}/checkin/devices",
        "sw_url": reverse("checkin:scanner_sw", args=[event.pk]),
        "scope": reverse("checkin:scanner", args=[event.pk]),
        "jsqr": static("vendor/jsqr/jsQR.js"),
        "ed25519": static("vendor/noble-ed25519/index.js"),
        "store": static("checkin/scanner-store.js"),
        "lang": "en" if (get_language() or "").startswith("en") else "zh-CN",
        "categories": {code: category_label(code) for code in GuestCategory.values},
        # The guest's badge, printed at the desk on check-in (issue 10 point 5).
        "badge_url": _badge_url(event),
    }
    return render(
        request,
        "checkin/scanner.html",
        {
            "event": event,
            "gates": gates,
            "walkin_url": _walkin_url(event),
            "config_json": json.dumps(config),
            "strings_json": json.dumps(_strings(), ensure_ascii=False),
        },
    )


@require_GET
@event_page(Need.CHECKIN)
def service_worker(request: AuthedRequest, event: Event) -> HttpResponse:
    """The scanner's service worker: the page and its assets, kept for a reload without the network. Served
    under the page's path (its scope covers the page); its code is ``static/checkin/scanner-sw.js``."""
    page = reverse("checkin:scanner", args=[event.pk])
    config = {
        "cache": f"huodong-checkin-{event.pk}-v{SW_VERSION}",
        "page": page,
        "assets": [static(a) for a in ASSETS],
    }
    body = f"self.SCANNER = {json.dumps(config)};\nimportScripts({json.dumps(static('checkin/scanner-sw.js'))});\n"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = page
    return response


_P = "events/<int:event_id>/checkin/scan/"
urlpatterns = [
    path(_P, scanner, name="scanner"),
    path(f"{_P}sw.js", service_worker, name="scanner_sw"),
]

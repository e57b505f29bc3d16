"""The channels of the outbox behind one interface (``base.Channel``): e-mail over SMTP, SMS, the WeChat
official account and the internal group robots. ``channels_for_worker()`` builds one of each from the
settings (a worker keeps them for its batches: the e-mail channel reuses its SMTP connection)."""

from __future__ import annotations

from .base import Channel, DeliveryError


def channels_for_worker() -> dict[str, Channel]:
    from django.conf import settings

    from .email import EmailChannel, FileEmailChannel
    from .robots import RobotChannel
    from .sms import SmsChannel
    from .wechat import WechatChannel

    email: Channel = FileEmailChannel() if settings.HUODONG_EMAIL_BACKEND == "file" else EmailChannel()
    return {"email": email, "sms": SmsChannel(), "wechat": WechatChannel(), "robot": RobotChannel()}


__all__ = ["Channel", "DeliveryError", "channels_for_worker"]

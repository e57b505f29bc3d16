"""API: 《活动物料明细表》 (MT-1): items, status, Excel import and export."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["preparation"])

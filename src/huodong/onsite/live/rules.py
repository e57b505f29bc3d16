"""Rules shared by the live part's services: when leads are recorded and the final figures confirmed.

Leads are recorded on the day, while the event is in the execution phase (场地布置, 流程执行, 现场监控,
突发应对); the final figures (定格) once the show has begun (流程执行, 现场监控, 突发应对). Reading the
dashboard is allowed in any step (before the day it shows the registrations, afterwards the record).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huodong.events.steps import Step

LEAD_STEPS: tuple[str, ...] = (Step.SETUP, Step.RUN, Step.MONITORING, Step.INCIDENTS)
FINAL_STEPS: tuple[str, ...] = (Step.RUN, Step.MONITORING, Step.INCIDENTS)
# The steps in which the dashboard counts as "running": the page polls every 2 s.
RUNNING_STEPS: tuple[str, ...] = LEAD_STEPS

WHAT_LEADS = _("销售线索")
WHAT_FINAL = _("现场数据定格")

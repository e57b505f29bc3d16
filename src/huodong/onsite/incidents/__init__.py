"""突发应对 (EX-5): the incident log of the show day, its playbooks from the plan's risk register, the
technician's 15-minute clock escalated by the worker, and the gate of the step 突发应对."""

"""The execution phase on the day (section 四 of the specification): one Django app per part, each with its
models, services, selectors, pages, API and gate:

- ``rehearsal``: setup and rehearsal, the gate of 场地布置 (EX-1);
- ``show``: the live run of show, owners in place, the stage view (EX-3);
- ``interaction``: Q&A, lottery, live survey (EX-4);
- ``incidents``: the incident log with playbooks and the 15-minute SLA, the gate of 突发应对 (EX-5);
- ``live``: the live dashboard and leads, the gate of 现场监控 (EX-6).

Check-in at the door (EX-2) and staff arrival are ``huodong.checkin``.
"""

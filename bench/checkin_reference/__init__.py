"""The bare reference check-in (DESIGN.md, "The ceiling of a check-in"): the least a QR check-in can do in
Django 5.2, as a tiny project of its own (own settings, own tables, no middleware, no authentication).

One request: verify the Ed25519 token (the same ``HD1.<payload>.<signature>`` format as huodong's tickets),
then in one transaction conditionally update the ticket (not yet checked in, the token's version, not
revoked), insert a check-in row and bump the event's counter. ``bench/bench_checkin.py`` serves it with
gunicorn (one sync worker) beside ``huodong serve`` and reports huodong's figures as a ratio of it.
"""

"""Writes of the planning phase, one module per record: needs (NI-1, NI-2, DOC-1), goals (GO-1), the plan, review and approval.

Import the module you need (``from huodong.planning.services import needs``); nothing is re-exported here.
"""

"""Planning pages, one module per step: needs, goals, plan, review and approval."""

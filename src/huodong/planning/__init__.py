"""Planning: needs insight, SMART goals, the plan, its review and signed approval (NI-1, NI-2, GO-1, PL-1..3, RV-1, AP-1)."""

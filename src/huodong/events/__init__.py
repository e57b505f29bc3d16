"""Events: the Event aggregate, event types with their templates, and the lifecycle engine (LC-1, LC-2, SC-2)."""

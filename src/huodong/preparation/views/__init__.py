"""Preparation pages; each module owns its URL list and, once its page exists, its event tab (``TAB``)."""

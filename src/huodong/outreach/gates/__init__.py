"""The gate of 通知发布 (NT-1, NT-2): being written."""

"""Documents: renderers for the named documents of the process (DOC-1, DOC-2, DOC-3) as Word and PDF."""

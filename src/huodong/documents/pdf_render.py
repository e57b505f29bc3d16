"""PDF rendering with WeasyPrint from the documents' print HTML (the same page the browser prints).

The print stylesheet names the Noto CJK faces (fonts-noto-cjk), so Chinese is embedded as a font subset.
The HTML is self-contained (the stylesheet is inlined), so no URL has to be fetched while rendering.
"""

from __future__ import annotations

import logging

from weasyprint import HTML

# WeasyPrint logs every unsupported CSS property at WARNING; the print stylesheet is written for it,
# so only errors are worth a log line.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def render_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=None).write_pdf()

"""The three Word documents open in LibreOffice and read back correctly (issue 3, "Done when"; DOC-1..3)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from huodong.core.money import format_money
from huodong.documents.render import DOCUMENTS, document_render

pytestmark = [pytest.mark.django_db, pytest.mark.libreoffice]

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed on this machine")
def test_libreoffice_opens_each_word_document_and_reads_its_content(records, tmp_path):
    # REQ: DOC-1
    # REQ: DOC-2
    # REQ: DOC-3
    src = tmp_path / "docx"
    out = tmp_path / "txt"
    src.mkdir()
    word = [doc for doc, kind in DOCUMENTS.items() if "docx" in kind.formats]
    for doc in word:
        (src / f"{doc}.docx").write_bytes(document_render(event=records.event, doc=doc, fmt="docx").content)
    profile = tmp_path / "lo-profile"  # a profile of its own: no clash with another soffice running
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(out),
            *[str(src / f"{doc}.docx") for doc in word],
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    texts = {doc: (out / f"{doc}.txt").read_text(encoding="utf-8") for doc in word}
    expected = {
        "needs-report": ["活动需求调研报告", records.report.audience_persona, "李总监", "业务部门目标"],
        "plan": [
            "活动策划方案",
            "环节07",
            "13:30–14:04",
            "应急备用金 小计",
            format_money(records.total),
            "场地平面图.pdf",
        ],
        "approval-form": [
            "活动策划方案审批表",
            "有条件通过",
            "孙总(总经理)",
            "2027年2月4日 12:00",
            records.version.content_hash,
        ],
    }
    for doc, needles in expected.items():
        assert records.event.name in texts[doc]
        for needle in needles:
            assert needle in texts[doc], (doc, needle)

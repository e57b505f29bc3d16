"""Attachments of the plan (DOC-2): stored through Django storage, refused when too large or disguised."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huodong.core.errors import DomainError, NotAllowed
from huodong.planning.models import PlanAttachment
from huodong.planning.services.attachments import attachment_add, attachment_remove
from tests.factories import login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("event_at_plan_step")]

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def ooxml(part: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(f"{part}/document.xml", "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("场地平面图.pdf", PDF, "floor_plan"),
        ("布局.png", PNG, "floor_plan"),
        ("物料清单.xlsx", ooxml("xl"), "materials_list"),
        ("方案.docx", ooxml("word"), "other"),
        ("场地.dwg", b"AC1032" + b"\x00" * 20, "floor_plan"),
    ],
)
def test_allowed_files_are_stored_with_size_and_hash(plan, event, organiser, media_root, name, content, kind):
    # REQ: DOC-2
    att = attachment_add(actor=organiser, event=event, file=SimpleUploadedFile(name, content), kind=kind)
    assert (att.original_name, att.size, att.kind) == (name, len(content), kind)
    assert att.sha256 == hashlib.sha256(content).hexdigest()
    assert att.file.read() == content
    assert str(media_root) in att.file.path


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("setup.exe", EXE, "不允许上传「.exe」"),
        ("平面图.pdf", EXE, "不是真正的 PDF 文件"),  # an .exe renamed .pdf
        ("清单.xlsx", ooxml("word"), "不是真正的 Excel 文件"),  # a Word file renamed .xlsx
        ("清单.docx", b"PK\x03\x04not a zip", "不是真正的 Word 文件"),
        ("空.pdf", b"", "是空的"),
        ("no_extension", PDF, "不允许上传"),
    ],
)
def test_forbidden_or_disguised_files_are_refused_and_nothing_is_stored(
    plan, event, organiser, media_root, name, content, words
):
    # REQ: DOC-2
    with pytest.raises(DomainError) as exc:
        attachment_add(actor=organiser, event=event, file=SimpleUploadedFile(name, content), kind="other")
    assert words in str(exc.value.errors["file"][0])
    assert not PlanAttachment.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_a_file_larger_than_the_limit_is_refused(plan, event, organiser, media_root, settings):
    # REQ: DOC-2
    settings.HUODONG_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(DomainError) as exc:
        attachment_add(
            actor=organiser,
            event=event,
            file=SimpleUploadedFile("大图.pdf", PDF + b"0" * 2000),
            kind="floor_plan",
        )
    message = str(exc.value.errors["file"][0])
    assert "超过上限 1 KB" in message
    assert not PlanAttachment.objects.exists()


def test_an_unknown_kind_is_refused(plan, event, organiser, media_root):
    with pytest.raises(DomainError) as exc:
        attachment_add(actor=organiser, event=event, file=SimpleUploadedFile("a.pdf", PDF), kind="poster")
    assert "kind" in exc.value.errors


def test_an_outsider_cannot_upload(plan, event, outsider, media_root):
    with pytest.raises(NotAllowed):
        attachment_add(actor=outsider, event=event, file=SimpleUploadedFile("a.pdf", PDF), kind="other")


def test_download_needs_a_login_and_removing_deletes_the_file(
    plan, event, organiser, outsider, media_root, client, django_capture_on_commit_callbacks
):
    # REQ: DOC-2
    att = attachment_add(
        actor=organiser, event=event, file=SimpleUploadedFile("平面图.pdf", PDF), kind="floor_plan"
    )
    url = f"/events/{event.pk}/planning/plan/attachments/{att.pk}/"
    assert client.get(url).status_code == 302  # to the sign-in page
    login(client, outsider)  # any colleague may read the plan
    resp = client.get(url)
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content) == PDF
    assert "attachment" in resp["Content-Disposition"]
    assert resp["X-Content-Type-Options"] == "nosniff"
    path = att.file.path
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(actor=organiser, event=event, attachment_id=att.pk, seen=att.revision)
    import os

    assert not os.path.exists(path)
    assert client.get(url).status_code == 404

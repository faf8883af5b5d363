"""Uploads (multipart/form-data), file ids and URLs, downloads from /file/bot<token>/."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest

from sandbox import Sandbox


async def test_send_document_upload_and_download(sandbox: Sandbox, tg: Bot) -> None:
    user = sandbox.user(1001)
    payload = "报名表\n".encode() * 100
    sent = await tg.send_document(
        1001, InputFile(payload, filename="form.csv"), caption="<b>Form</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.file_size) == ("form.csv", len(payload))
    assert sent.caption == "Form" and sent.caption_entities[0].type == "bold"
    logged = sandbox.calls("sendDocument")[-1]
    assert logged.params["document"] == {"input_file": "form.csv", "size": len(payload)}
    file = await tg.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload
    assert user.last is not None and user.last.document is not None
    assert user.last.caption == "Form" and user.last.html == "<b>Form</b>"
    # the file id can be sent again, without an upload
    again = await tg.send_document(1001, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id


async def test_send_photo_by_url_and_bad_file_id(sandbox: Sandbox, tg: Bot) -> None:
    sandbox.user(1001)
    sent = await tg.send_photo(1001, "https://example.org/map.png", caption="map")
    assert sent.photo and sent.photo[-1].width > 0
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await tg.send_photo(1001, "no-such-file-id")


async def test_file_download_needs_a_known_path(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sandbox.base_file_url}{sandbox.token}/documents/nothing") as resp:
        assert resp.status == 404
    async with http.get(f"{sandbox.base_file_url}bad/documents/nothing") as resp:
        assert resp.status == 401


async def test_raw_multipart_with_attach_reference(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.user(1001)
    form = aiohttp.FormData()
    form.add_field("chat_id", "1001")
    form.add_field("document", "attach://part1")
    form.add_field("part1", b"%PDF-1.4", filename="a.pdf", content_type="application/pdf")
    async with http.post(f"{sandbox.base_url}{sandbox.token}/sendDocument", data=form) as resp:
        body = await resp.json()
    assert body["ok"], body
    assert body["result"]["document"]["mime_type"] == "application/pdf"

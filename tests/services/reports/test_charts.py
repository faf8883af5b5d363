"""The coordinator's chart, on SQLite and PostgreSQL: the last 12 weeks' orders and hours
are the database's, bucketed by the week (from Monday) they were completed in; the PNG
is a real PNG of a sane size; every label it draws is covered by the CJK font it is
drawn with (so no tofu boxes); only coordinators."""

from __future__ import annotations

import io
import struct

import pytest
from matplotlib.ft2font import FT2Font

from bot.config import load_config
from bot.container import Services
from bot.i18n import get_translator
from bot.messages.charts import FontMissing, labels, weekly_png
from bot.services.kernel.errors import NotAllowed
from storage.database import Database
from tests.support.points import completed
from tests.support.services import COMMUNITY, STREET, FakeClock, Org, coordinator

FONT = load_config(environ={}).recognition.certificate_font


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_the_chart_is_the_unit_s_weeks_drawn_with_a_cjk_font(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    await completed(db, services, org, clock, 2, hours=2)  # this week: 1 order, 4 hours
    street = await coordinator(services, 9311, STREET)
    weekly = await services.charts.weekly(street)
    assert len(weekly.weeks) == 12 and weekly.weeks[-1].weekday() == 0
    assert (sum(weekly.orders), sum(weekly.minutes)) == (1, 240)
    assert (weekly.orders[-1], weekly.minutes[-1]) == (1, 240)  # completed this week
    assert [(code, n) for _, code, n in weekly.categories] == [("elderly_visit", 1)]

    for language in ("zh_CN", "en"):
        tr = get_translator(language)
        png = weekly_png(tr, weekly, FONT)
        width, height = png_size(png)
        assert 600 <= width <= 1200 and 500 <= height <= 1000
        covered = FT2Font(FONT).get_charmap()
        drawn = "".join(labels(tr, weekly))
        missing = sorted({ch for ch in drawn if ord(ch) not in covered and not ch.isspace()})
        assert missing == [], missing
        assert org[STREET].name(language) in labels(tr, weekly)[0]
    zh_words = "".join(labels(get_translator("zh_CN"), weekly))
    assert "探访老人" in zh_words and "完成订单" in zh_words

    with pytest.raises(FontMissing):
        weekly_png(get_translator("zh_CN"), weekly, "/nonexistent/font.ttc")
    volunteer = street.__class__(1, 1, "v", "zh_CN", None, org[COMMUNITY].id)
    with pytest.raises(NotAllowed):
        await services.charts.weekly(volunteer)
    assert io.BytesIO(png).getbuffer().nbytes > 10_000

"""End to end over HTTP: the real bot polls the sandbox; simulated people register,
in Chinese and in English, and a coordinator approves a volunteer."""

from __future__ import annotations

from sqlalchemy import select

from sandbox import Sandbox
from storage.models import AuditEntry, CoordinatorBinding, User, VolunteerProfile
from tests.support.bot import ADMIN_ID, RunningBot

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9101


async def community_coordinator(bot: RunningBot) -> None:
    """A coordinator bound to 龙湖东岸社区 (as `volunteer-bot admin add` would)."""
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")


async def names(bot: RunningBot, language: str) -> tuple[str, str, str]:
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None and community.parent_id is not None
    street = await bot.services.org.unit(community.parent_id)
    assert street is not None
    grids = await bot.services.org.children(community.id)
    return street.name(language), community.name(language), grids[0].name(language)


async def test_resident_registers_in_chinese(bot: RunningBot, sandbox: Sandbox) -> None:
    street, community, _ = await names(bot, "zh_CN")
    resident = sandbox.user(1001, first_name="王芳", language_code="zh-hans")
    await resident.command("/start")
    welcome = await resident.wait_for("请问您是")
    assert "王芳" in welcome.text
    await resident.press("🙋 我需要帮助（居民）")
    await resident.wait_for("请选择您所在的街道")
    await resident.press(street)
    await resident.wait_for("请选择您所在的社区")
    await resident.press(community)
    done = await resident.wait_for("登记完成")
    assert community in done.text
    async with bot.db.read() as s:
        user = await s.scalar(select(User).where(User.telegram_id == 1001))
    assert user is not None and user.community_id is not None


async def test_volunteer_registers_in_english_and_is_approved(
    bot: RunningBot, sandbox: Sandbox
) -> None:
    await community_coordinator(bot)
    street, community, grid = await names(bot, "en")
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code="zh-hans")
    await coordinator.command("/start")  # coordinators have started the bot
    await coordinator.wait_for("协调员")

    v = sandbox.user(2001, first_name="Alice", language_code="en-GB")
    await v.command("/start")
    await v.wait_for("Are you")
    await v.press("🤝 I want to volunteer")
    await v.wait_for("real name")
    await v.send("Alice <b>&")
    await v.wait_for("Share my phone number")
    assert v.reply_keyboard is not None
    await v.tap("📱 Share my phone number")  # Telegram sends the user's own contact
    await v.wait_for("subdistrict")
    await v.press(street)
    await v.wait_for("community")
    await v.press(community)
    await v.wait_for("grid")
    await v.press(grid)
    await v.wait_for("specialty teams")
    await v.press("▫️ Health")
    toggled = await v.wait_for(
        predicate=lambda m: any("✅ Health" in label for row in m.buttons for label in row)
    )
    assert toggled.edited
    await v.press("▫️ Emergency rescue")
    await v.wait_for(
        predicate=lambda m: any(
            "✅ Emergency rescue" in label for row in m.buttons for label in row
        )
    )
    await v.press("Done ✔️")
    await v.wait_for("How we use your data")
    await v.press("✅ I agree")
    summary = await v.wait_for("Please check your volunteer registration")
    assert "Alice <b>&" in summary.text  # shown as typed …
    assert "Alice &lt;b&gt;&amp;" in summary.html  # … because it was escaped
    assert "Health" in summary.text and grid in summary.text
    await v.press("✅ Confirm")
    await v.wait_for("Thank you")

    note = await coordinator.wait_for("新志愿者注册")
    assert "Alice &lt;b&gt;&amp;" in note.html
    await coordinator.press("✅ 通过", message=note)
    await coordinator.wait_for("已通过")
    told = await v.wait_for("has been approved")
    assert "Alice" in told.text

    async with bot.db.read() as s:
        user = await s.scalar(select(User).where(User.telegram_id == 2001))
        assert user is not None
        profile = await s.get(VolunteerProfile, user.id)
        audit = list(
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "volunteer.approve"))
        )
    assert profile is not None and profile.status == "approved"
    assert profile.real_name == "Alice <b>&" and profile.phone.startswith("+")
    assert [a.target_id for a in audit] == [user.id]


async def test_admin_appoints_a_community_coordinator_in_chat(
    bot: RunningBot, sandbox: Sandbox
) -> None:
    street, community, _ = await names(bot, "en")
    future = sandbox.user(3001, first_name="Luo", language_code="en")
    await future.command("/start")
    await future.wait_for("Are you")

    admin = sandbox.user(ADMIN_ID, first_name="Admin", language_code="en")
    await admin.command("/coordinators")
    await admin.wait_for("Coordinators")
    await admin.press("➕ Appoint a coordinator")
    await admin.wait_for("numeric Telegram ID")
    await admin.send("3001")
    await admin.wait_for("Choose the unit")
    units = admin.last
    assert units is not None and units.reply_markup is not None
    row = next(r for r in units.reply_markup["inline_keyboard"] if r[0]["text"] == street)
    await admin.press_data(units.message_id, row[1]["callback_data"])  # "Below ›"
    await admin.wait_for(predicate=lambda m: any(community in r for r in m.buttons))
    await admin.press(community)
    confirm = await admin.wait_for("Appoint Luo as coordinator")
    assert "3001" not in confirm.text
    await admin.press("✅ Confirm")
    await admin.wait_for("now coordinates")
    told = await future.wait_for("appointed coordinator")
    assert community in told.text

    async with bot.db.read() as s:
        user = await s.scalar(select(User).where(User.telegram_id == 3001))
        assert user is not None
        binding = await s.scalar(
            select(CoordinatorBinding).where(CoordinatorBinding.user_id == user.id)
        )
        audit = await s.scalar(select(AuditEntry).where(AuditEntry.action == "coordinator.appoint"))
    unit = await bot.services.org.unit_by_code(COMMUNITY)
    assert binding is not None and unit is not None and binding.unit_id == unit.id
    assert audit is not None and audit.target_id == user.id

    # the new coordinator may not appoint at their own level or above
    await future.command("/coordinators")
    await future.wait_for("Coordinators")
    await future.press("➕ Appoint a coordinator")
    await future.wait_for("numeric Telegram ID")
    await future.send(str(ADMIN_ID))
    listing = await future.wait_for("Choose the unit")
    assert listing.buttons[0][0] != community  # only units below 龙湖东岸 (its grids)

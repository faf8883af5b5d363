"""/me shows the profile and edits it one field at a time; /lang; the command menus."""

from __future__ import annotations

from sqlalchemy import select

from sandbox import Sandbox
from storage.models import User, VolunteerProfile
from tests.e2e.test_registration import COMMUNITY
from tests.support.bot import RunningBot


async def register_volunteer(bot: RunningBot, telegram_id: int) -> int:
    """A volunteer registered through the service (the chat flow has its own tests)."""
    from bot.services.people.users import TelegramIdentity
    from bot.services.people.volunteers import VolunteerForm

    user = await bot.services.users.touch(TelegramIdentity(telegram_id, "Eve", language_code="en"))
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await bot.services.volunteers.register(
        user.id,
        VolunteerForm(
            real_name="Eve Wang",
            phone="13800138000",
            community_id=community.id,
            grid_id=None,
            team_ids=(),
            consent=True,
        ),
    )
    return user.id


async def test_me_edits_name_and_teams_keeping_the_rest(bot: RunningBot, sandbox: Sandbox) -> None:
    user_id = await register_volunteer(bot, 5001)
    v = sandbox.user(5001, first_name="Eve", language_code="en")
    await v.command("/me")
    card = await v.wait_for("My profile")
    assert "Eve Wang" in card.text and "+8613800138000" in card.text
    await v.press("✏️ Name")
    await v.wait_for("real name")
    await v.send("   ")
    await v.wait_for("cannot be empty")
    await v.send("Eve  Wang-Li")
    await v.wait_for("Saved")
    await v.wait_for("Eve Wang-Li")
    await v.press("✏️ Teams")
    await v.wait_for("specialty teams")
    await v.press("▫️ Health")
    await v.wait_for(predicate=lambda m: any("✅ Health" in b for r in m.buttons for b in r))
    await v.press("Done ✔️")
    shown = await v.wait_for("Health")
    assert "Eve Wang-Li" in shown.text
    async with bot.db.read() as s:
        profile = await s.get(VolunteerProfile, user_id)
    assert profile is not None
    assert (profile.real_name, profile.phone) == ("Eve Wang-Li", "+8613800138000")


async def test_lang_switches_and_menus_are_per_language(bot: RunningBot, sandbox: Sandbox) -> None:
    u = sandbox.user(5002, first_name="Frank", language_code="en")
    await u.command("/lang")
    await u.wait_for("Choose a language")
    await u.press("中文")
    await u.wait_for("已切换为中文")
    await u.command("/help")
    await u.wait_for("常用命令")
    async with bot.db.read() as s:
        user = await s.scalar(select(User).where(User.telegram_id == 5002))
    assert user is not None and user.language == "zh_CN"

    calls = [r for r in sandbox.requests if r.method.lower() == "setmycommands" and r.ok]
    defaults = [r for r in calls if "scope" not in r.params]
    by_language = {r.params.get("language_code", ""): r.params["commands"] for r in defaults}
    assert set(by_language) == {"", "zh", "en"}

    def descriptions(commands: object) -> dict[str, str]:
        import json

        items = json.loads(commands) if isinstance(commands, str) else commands
        return {c["command"]: c["description"] for c in items}  # type: ignore[union-attr]

    assert descriptions(by_language["zh"])["lang"] == "切换语言"
    assert descriptions(by_language["en"])["lang"] == "Change language"
    # the person's own menu follows the language they chose
    await sandbox.wait_until(
        lambda: (
            descriptions(sandbox.commands({"type": "chat", "chat_id": 5002})).get("lang")
            == "切换语言"
        )
    )

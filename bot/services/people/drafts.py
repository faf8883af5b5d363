"""The drafts of registration, profile editing and appointing a coordinator (the flows
in handlers/people/), each value checked as the service checks it."""

from __future__ import annotations

from pydantic import Field

from bot.services.kernel.drafts import Draft, NameAnswer, PhoneAnswer, needed
from bot.services.people.volunteers import VolunteerForm


class HomeAnswers(Draft):
    """Street → community → (optional) grid."""

    street_id: int | None = None
    community_id: int | None = None
    community_has_grids: bool = False
    grid_id: int | None = None


class TeamsAnswer(Draft):
    team_ids: list[int] = Field(default_factory=list)


class ConsentAnswer(Draft):
    consent: bool = False


class ResidentDraft(HomeAnswers):
    """ "I need help": where they live (also the onboarding's first question)."""


class VolunteerDraft(NameAnswer, PhoneAnswer, HomeAnswers, TeamsAnswer, ConsentAnswer):
    def form(self) -> VolunteerForm:
        return VolunteerForm(
            real_name=needed(self.name, "name"),
            phone=needed(self.phone, "phone"),
            phone_verified=self.phone_verified,
            community_id=needed(self.community_id, "community"),
            grid_id=self.grid_id,
            team_ids=tuple(self.team_ids),
            consent=self.consent,
        )


class ProfileDraft(NameAnswer, PhoneAnswer, HomeAnswers, TeamsAnswer):
    """One field of the profile asked again (the profile's other values as they are)."""


class AppointDraft(Draft):
    telegram_id: int | None = None  # whom
    parent_id: int | None = None  # the unit whose units are listed (None: the own unit's)
    unit_id: int | None = None  # of what

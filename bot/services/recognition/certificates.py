"""志愿服务记录证明 — the service-record certificate: what 民政部令第67号 (志愿服务记录与证明
出具办法) asks a certificate to state — the volunteer's name and (masked) identity, their
service records (date, what, unit, hours), the total hours, the issuing unit, a serial
number and the date of issue. ``issue`` records it (its serial unique, random: a
tampered one is found by nobody) and returns what the PDF shows
(bot/messages/certificates.py); ``verify`` says whose certificate a serial is, when it
was issued and the hours on it (``/verify``, ``volunteer-bot certificate verify``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.services.kernel.clock import Clock
from bot.services.kernel.dto import CategoryDTO, Role, UnitDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotAllowed
from bot.services.org.units import category_dto, unit_dto
from storage.database import Database
from storage.models import Certificate
from storage.repositories import certificates as certificates_repo
from storage.repositories import org as org_repo
from storage.repositories import volunteers as volunteers_repo

SERIAL_PREFIX = "HYZM"  # 汉阳 证明
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out and typed


@dataclass(frozen=True)
class Record:
    at: datetime
    number: str
    title: str | None
    category: CategoryDTO | None
    unit: UnitDTO | None
    minutes: int


@dataclass(frozen=True)
class Issued:
    serial: str
    name: str
    masked_phone: str
    minutes: int
    records: tuple[Record, ...]
    unit: UnitDTO | None  # the issuing unit: the volunteer's community
    issued_at: datetime


@dataclass(frozen=True)
class Verified:
    serial: str
    name: str  # masked: a serial is not a way to learn a whole name
    minutes: int
    services: int
    unit: UnitDTO | None
    issued_at: datetime


def mask_phone(phone: str) -> str:
    """+8613800138000 → 138****8000."""
    digits = phone.removeprefix("+86") if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def normal_serial(text: str) -> str:
    """What was typed, as serials are written (spaces and dashes and case ignored)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _mask_name(name: str) -> str:
    return name[0] + "*" * max(len(name) - 1, 1) if name else ""


class CertificateService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def issue(self, user: UserDTO) -> Issued:
        """A certificate of the volunteer's records as they are now. NotAllowed for
        someone who is no volunteer; InvalidValue(certificate, no_records) with none."""
        if Role.VOLUNTEER not in user.roles:
            raise NotAllowed("volunteers only")
        now = self.clock.now()
        async with self.db.transaction() as session:
            profile = await volunteers_repo.profile(session, user.id)
            if profile is None:
                raise NotAllowed("volunteers only")
            rows = await certificates_repo.records(session, user.id)
            if not rows:
                raise InvalidValue("certificate", "no_records")
            categories = {
                code: category_dto(c)
                for code, c in (await org_repo.categories_by_codes(session)).items()
            }
            units: dict[int, UnitDTO] = {}
            for unit_id in {r[4] for r in rows} | {profile.community_id}:
                found = await org_repo.unit(session, unit_id)
                if found is not None:
                    units[unit_id] = unit_dto(found)
            serial = await self._new_serial(session, now)
            records = tuple(
                Record(at, number, title, categories.get(category), units.get(unit), minutes)
                for at, number, title, category, unit, minutes in rows
            )
            minutes = sum(r.minutes for r in records)
            session.add(
                Certificate(
                    serial=serial,
                    user_id=user.id,
                    unit_id=profile.community_id,
                    name=profile.real_name,
                    minutes=minutes,
                    services=len(records),
                    issued_at=now,
                )
            )
        return Issued(
            serial,
            profile.real_name,
            mask_phone(profile.phone),
            minutes,
            records,
            units.get(profile.community_id),
            now,
        )

    async def _new_serial(self, session: object, now: datetime) -> str:
        while True:  # 32^10: a collision is a curiosity, but a unique one is certain
            tail = "".join(secrets.choice(ALPHABET) for _ in range(10))
            serial = f"{SERIAL_PREFIX}{now:%Y}{tail}"
            if not await certificates_repo.serial_taken(session, serial):  # type: ignore[arg-type]
                return serial

    async def verify(self, serial: str) -> Verified | None:
        """The certificate of ``serial`` (as typed: spaces, dashes and case ignored), or
        None: no certificate has it."""
        wanted = normal_serial(serial)
        if not wanted:
            return None
        async with self.db.read() as session:
            row = await certificates_repo.by_serial(session, wanted)
            if row is None:
                return None
            unit = await org_repo.unit(session, row.unit_id) if row.unit_id else None
        return Verified(
            row.serial,
            _mask_name(row.name),
            row.minutes,
            row.services,
            unit_dto(unit) if unit else None,
            row.issued_at,
        )

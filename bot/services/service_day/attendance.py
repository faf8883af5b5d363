"""AttendanceService: the service day (实践服务) and completion in one service, as the
composition root wires it (bot/services/__init__.py) and handlers and jobs call it
(``services.attendance``): the volunteer's check-in and check-out (check_in),
records and corrections of hours (service_records), coordinators' views of orders in
service (order_views), the confirmation that closes an order (completion) and the
jobs at the start, for no-shows and forgotten check-outs (service_jobs), on the shared
states and moves (attendance_common).
"""

from __future__ import annotations

from bot.services.service_day.check_in import CheckIn
from bot.services.service_day.completion import Completion
from bot.services.service_day.jobs import ServiceJobs
from bot.services.service_day.order_views import OrderViews
from bot.services.service_day.records import ServiceRecords


class AttendanceService(CheckIn, ServiceRecords, OrderViews, Completion, ServiceJobs):
    """Check-in and check-out, records and corrections, coordinators' views,
    completion, and the service day's jobs."""

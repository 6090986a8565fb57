"""Every cloud table, imported in one place so `Base.metadata` is complete (Alembic env, schema tests).

A feature that adds rows imports its rows module here.
"""

from __future__ import annotations

from .db import Base
from .devices.provisioning import ProvisioningCodeRow  # noqa: F401 (provisioning codes, #13)
from .devices.rows import DeviceRow, EnrolmentCodeRow
from .links.rows import CustomerLinkRow, CustomerLinkSessionRow  # noqa: F401 (customer links)
from .messaging.rows import SmsMessageLogRow
from .notify.rows import NotificationJobRow
from .otp.rows import OtpRequestRow
from .payments import rows as payment_rows  # noqa: F401 (Moyasar payments, #12)
from .salons.rows import SalonRow, SalonSyncRow
from .sync import tables as sync_tables  # replicated entities, change_index, mutation_receipt
from .sync.aliases import CustomerAliasRow  # noqa: F401 (merged duplicate customers, #14)
from .sync.audit_trail import SalonAuditEventRow  # noqa: F401 (the salon-wide audit trail, #10)
from .sync.users import AuditAnchorRow  # noqa: F401 (desk audit chain heads, #10)
from .throttle import ThrottleEventRow

metadata = Base.metadata

__all__ = [
    "DeviceRow",
    "EnrolmentCodeRow",
    "NotificationJobRow",
    "OtpRequestRow",
    "SalonRow",
    "SalonSyncRow",
    "SmsMessageLogRow",
    "ThrottleEventRow",
    "metadata",
    "sync_tables",
]

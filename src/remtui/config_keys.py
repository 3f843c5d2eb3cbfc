"""What the settings may hold: defaults, allowed values and limits, and the REMTUI_*
variables (config reads the sources with them, config_check checks the sources against
them; neither imports the other)."""

from __future__ import annotations

LANGUAGES = ("en", "pt_PT")
DEFAULT_CURRENCY, DEFAULT_REGION = "EUR", "PT"
SMS_GATEWAYS = ("none", "command")  # domain.sms.GATEWAYS (a test keeps them equal)
DOCUMENT_SERIES = ("work_order", "estimate", "sale", "lead")  # domain.numbering's series
TIMEOUT_MAX = 3600
PREFIX_MAX = 10

ENVIRONMENT = "environment"  # the name of the REMTUI_* variables as a source
ENV_VARS = {
    "REMTUI_DB": ("store", "url"),
    "REMTUI_LANGUAGE": ("language",),
    "REMTUI_CURRENCY": ("currency",),
    "REMTUI_PHONE_REGION": ("phone_region",),
    "REMTUI_EXPORT_DIR": ("export_dir",),
}

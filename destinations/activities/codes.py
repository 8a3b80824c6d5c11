"""Activity codes: the NCCIS current-activity codes councils report to the DfE, plus the service's own.

Codes are strings ("110", "S20") because that is how the DfE return and council exports
carry them. Every code belongs to one group; the sustained-destination rule, the worklists
and the reports work on groups, never on lists of codes scattered through the code.
"""
from __future__ import annotations

from dataclasses import dataclass

GROUPS = {
    "compulsory": "Below compulsory school leaving age",
    "education": "Education",
    "employment": "Employment",
    "training": "Training",
    "neet": "Not in education, employment or training (NEET)",
    "other": "Other",
    "not_known": "Not known",
}

APPRENTICESHIP = "310"


@dataclass(frozen=True)
class ActivityCode:
    code: str
    label: str
    group: str
    # The NCCIS code sent in the council's return: the code itself, or for the service's
    # own codes the nearest NCCIS code.
    return_code: str
    service_code: bool = False

    @property
    def group_label(self) -> str:
        return GROUPS[self.group]

    @property
    def is_employment(self) -> bool:
        return self.group == "employment"

    @property
    def is_not_known(self) -> bool:
        return self.group == "not_known"


_NCCIS = [
    ("compulsory", [
        ("110", "At school in the area"),
        ("120", "Educated at home"),
        ("130", "Custodial sentence"),
        ("140", "Not registered at a school"),
        ("150", "Not known"),
    ]),
    ("education", [
        ("210", "School sixth form"),
        ("220", "Sixth form college"),
        ("230", "Further education"),
        ("240", "Higher education"),
        ("250", "Part-time education"),
        ("260", "Gap year"),
        ("270", "Other full-time education"),
        ("280", "Special post-16 institution"),
        ("290", "Custodial institution"),
    ]),
    ("employment", [
        ("310", "Apprenticeship"),
        ("320", "Full-time employment with study"),
        ("330", "Employment without training"),
        ("340", "Employment with other training"),
        ("350", "Temporary employment"),
        ("360", "Part-time employment"),
        ("380", "Self-employment"),
        ("381", "Self-employment with study"),
    ]),
    ("training", [
        ("410", "ESFA-funded work-based learning"),
        ("430", "Other training"),
        ("440", "DWP training and support"),
        ("450", "Traineeship"),
        ("460", "Supported internship"),
        ("530", "Re-engagement provision"),
    ]),
    ("neet", [
        ("540", "Working not for reward"),
        ("550", "Working not for reward with part-time study"),
        ("610", "Not yet ready for work or learning"),
        ("615", "Start date agreed"),
        ("616", "Start date agreed (other)"),
        ("619", "Seeking employment, education or training"),
        ("620", "Carer"),
        ("630", "Teenage parent"),
        ("640", "Illness"),
        ("650", "Pregnancy"),
        ("660", "Religious grounds"),
        ("670", "Unlikely ever to be economically active"),
        ("680", "Other reason"),
    ]),
    ("other", [
        ("710", "Custody (young adult offender)"),
        ("720", "Refugee or asylum seeker"),
    ]),
    ("not_known", [
        ("810", "Not known"),
        ("820", "Cannot be contacted"),
        ("830", "Refused to disclose"),
    ]),
]

# The service's own activities. Day opportunities are participation but not education,
# training or employment, so they are "other" and never count as a sustained destination in
# the DfE measure; in the return they are "not yet ready for work or learning". Supported
# employment is paid work with a job coach, so it is employment with other training.
_SERVICE = [
    ("S10", "Adult social care day opportunities", "other", "610"),
    ("S20", "Supported employment", "employment", "340"),
]

ACTIVITY_CODES: dict[str, ActivityCode] = {
    code: ActivityCode(code, label, group, code) for group, codes in _NCCIS for code, label in codes
}
ACTIVITY_CODES.update(
    {code: ActivityCode(code, label, group, return_code, service_code=True) for code, label, group, return_code in _SERVICE}
)

SOURCES = {
    "keyworker": "Keyworker",
    "young_person": "The young person (keep in touch)",
    "import": "Imported",
}


def activity_code(code: str) -> ActivityCode | None:
    return ACTIVITY_CODES.get((code or "").strip().upper())


def codes_in(*groups: str) -> list[str]:
    return [c.code for c in ACTIVITY_CODES.values() if c.group in groups]


def describe_valid_codes() -> str:
    """The valid codes as one line, for error messages that tell people what to use instead."""
    return ", ".join(f"{c.code} ({c.label})" for c in ACTIVITY_CODES.values())

"""Fixed codes from DOMAIN.md: school census primary need, SEN provision, pathways."""

PRIMARY_NEEDS = {
    "SPLD": "Specific learning difficulty",
    "MLD": "Moderate learning difficulty",
    "SLD": "Severe learning difficulty",
    "PMLD": "Profound and multiple learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication needs",
    "HI": "Hearing impairment",
    "VI": "Vision impairment",
    "MSI": "Multi-sensory impairment",
    "PD": "Physical disability",
    "ASD": "Autistic spectrum disorder",
    "OTH": "Other difficulty or disability",
    "NSA": "SEN support but no specialist assessment of type of need",
}

SEN_PROVISION = {"E": "EHC plan", "K": "SEN support"}

PATHWAYS = {
    1: "Lifelong complex needs",
    2: "Supported independence",
    3: "Inclusive education, employment and training support",
}

STATUSES = {
    "upcoming": "Upcoming",
    "active": "Active",
    "extended": "Extended",
    "left": "Left",
}


def pathway_name(pathway: int | None) -> str:
    return f"{pathway}. {PATHWAYS[pathway]}" if pathway in PATHWAYS else "Not yet decided"

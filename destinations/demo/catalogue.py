"""The fixed parts of the demo council: Northshire's providers and the wording staff use.

Providers do not depend on the seed, so a second ``demo load`` (say, a benchmark on top of
the demo) finds the same schools and colleges and reuses them instead of duplicating them.
"""

# (name, kind, establishment-number range, needs it specialises in) for schools.
# Establishment numbers follow the DfE ranges: 4xxx secondary, 7xxx special, 11xx alternative provision.
SECONDARY_SCHOOLS = (
    "Ashby Vale Academy", "Brackenford High School", "Kingsmere School", "Oakworth Academy",
    "Hollinsby High School", "Thornbury Cross Academy", "Elmstead Park School", "Westmarsh Academy",
    "Castle Norton High School", "Redbrook School", "Millbridge Academy", "Stanwick Community School",
    "Lowfield High School", "Birchwood Academy", "Greystone School", "Wycliffe High School",
    "Saltmarsh Academy", "Marbury School", "Northshire Academy", "Fenby Grange School",
    "St Aidan's Catholic High School", "St Hilda's Church of England Academy", "Bishop Cuthbert School",
    "Our Lady of Walsingham Catholic Academy", "Harrowby Fields Academy", "Denby Moor School",
    "Kestrel Ridge Academy", "Copperfield High School", "Ravensworth Academy", "Swallowdale School",
    "Ashby Vale Girls' School",
)  # fmt: skip

# Special schools with the primary needs they mostly serve.
SPECIAL_SCHOOLS = (
    ("Fernhill Special School", ("PMLD", "SLD", "MSI")),
    ("Brackenford Park School", ("SLD", "PMLD", "MLD")),
    ("Oakworth Lodge School", ("SLD", "MLD", "ASD")),
    ("Kingsmere Autism Centre", ("ASD", "SLCN")),
    ("The Willows School", ("ASD", "SLCN", "MLD")),
    ("Harbour View School", ("SEMH",)),
    ("Castle Norton School for Physical and Sensory Needs", ("PD", "HI", "VI", "MSI")),
    ("Meadowbank School", ("MLD", "SLCN", "SPLD")),
)  # fmt: skip

ALTERNATIVE_PROVISION = "Northshire Alternative Provision Academy"

# (name, kind) for providers with a UKPRN (colleges, training providers, the university).
POST_16_PROVIDERS = (
    ("Northshire College", "college"),
    ("Ashby Vale College", "college"),
    ("Kingsmere College of Technology", "college"),
    ("Northshire Land-based College", "college"),
    ("St Aidan's Sixth Form College", "sixth_form_college"),
    ("Millbridge Sixth Form College", "sixth_form_college"),
    ("Fernbrook Specialist College", "specialist_college"),
    ("Hollinsby Hall Independent Specialist College", "specialist_college"),
    ("Brightstart Training", "training"),
    ("Northshire Apprenticeship Partnership", "training"),
    ("Castle Norton Skills Centre", "training"),
    ("University of Northshire", "university"),
)  # fmt: skip

# Providers with neither URN nor UKPRN, matched by name when a load is repeated.
OTHER_PROVIDERS = (
    ("Redbrook Day Opportunities", "day_service"),
    ("Westmarsh Community Hub", "day_service"),
    ("Northshire Hospitals NHS Trust", "employer"),
    ("Greystone Garden Centre", "employer"),
)  # fmt: skip

# The college the demo "college@" user belongs to.
DEMO_COLLEGE = "Northshire College"

FIRST_PATHWAY_REASON = "Agreed at Year 9 PfA review"

# (from, to) -> reason for a later change of pathway.
PATHWAY_CHANGE_REASONS = {
    (1, 2): "Health needs now stable; supported independence offer agreed at annual EHCP review",
    (2, 1): "Health and personal-care needs have increased; lifelong complex needs offer agreed",
    (2, 3): "Making good progress towards independence; agreed at annual EHCP review",
    (3, 2): "Needs more support than expected after the move to college",
}

EXTENSION_REASONS = (
    "Completing the final year of a supported internship",
    "Finishing a specialist college placement",
    "Move to adult social care not yet agreed",
    "Needs more time to secure a sustained destination",
    "EHC plan continues; extension agreed at annual review",
    "Supported employment trial still running",
)

MOVED_AWAY_NOTES = (
    "Family moved to another county; records sent to the new council.",
    "Moved to live with relatives outside Northshire.",
    None,
)
OPTED_OUT_NOTE = "Young person asked not to be contacted again."

# Local authority numbers of neighbouring councils, for young people who moved in with a UPN.
NEIGHBOURING_LA_NUMBERS = (925, 926, 928, 935, 936, 937, 940, 941, 886, 855)

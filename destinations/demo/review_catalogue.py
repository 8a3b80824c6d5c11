"""The fixed parts of demo PfA reviews: how intentions vary by pathway and need, and the wording.

The mixes follow what councils report for each PfA pathway: specialist study programmes
and day opportunities for lifelong complex needs, supported internships and supported
employment for supported independence, mainstream courses, apprenticeships, work and
university for the inclusive pathway. Every code is one the migrations seed.

The wording is the way keyworkers write reviews: short, plain, in the young person's own
voice where it is theirs. Nothing here names a person; statements use the young person's
given name, filled in by the planner.
"""
from __future__ import annotations

from typing import NamedTuple

# Intended routes by (pathway, stage); the stage is the next transition point: "16" (end of
# Year 11), "19" (end of Year 13) or "adult" (after school).
ROUTES = {
    (1, "16"): {"study_programme": 1},
    (1, "19"): {"adult_social_care_day_opportunity": 55, "study_programme": 42, "volunteering": 3},
    (1, "adult"): {"adult_social_care_day_opportunity": 75, "study_programme": 20, "volunteering": 5},
    (2, "16"): {"study_programme": 94, "apprenticeship": 3, "supported_internship": 3},
    (2, "19"): {
        "supported_internship": 40, "study_programme": 30, "supported_employment": 15, "apprenticeship": 4,
        "adult_social_care_day_opportunity": 6, "volunteering": 5,
    },
    (2, "adult"): {
        "supported_employment": 35, "supported_internship": 18, "employment": 15, "study_programme": 15,
        "volunteering": 10, "adult_social_care_day_opportunity": 7,
    },
    (3, "16"): {"study_programme": 85, "apprenticeship": 12, "employment": 3},
    (3, "19"): {
        "higher_education": 24, "apprenticeship": 25, "employment": 24, "study_programme": 22,
        "supported_internship": 5,
    },
    (3, "adult"): {
        "employment": 45, "apprenticeship": 20, "higher_education": 12, "study_programme": 15, "volunteering": 5,
        "supported_employment": 3,
    },
}  # fmt: skip
# Primary needs that make university less likely: the chance a first thought of university stands.
HIGHER_EDUCATION_KEPT = {"SEMH": 0.5, "MLD": 0.2, "SLD": 0.0, "PMLD": 0.0, "MSI": 0.3}

# Study programme levels by (pathway, stage or "any"); learning difficulties pull the inclusive pathway down.
STUDY_LEVELS = {
    (1, "any"): {"entry_1": 50, "entry_2": 35, "not_applicable": 15},
    (2, "any"): {"entry_3": 45, "level_1": 40, "entry_2": 15},
    (3, "16"): {"level_1": 22, "level_2": 43, "level_3": 35},
    (3, "any"): {"level_1": 10, "level_2": 45, "level_3": 45},
    (3, "learning_difficulty"): {"entry_3": 20, "level_1": 45, "level_2": 35},
}
LEARNING_DIFFICULTIES = frozenset({"MLD", "SLD", "PMLD", "MSI"})
# Chance a study programme is in independent living and work skills (sector 14), not the young person's interest.
LIFE_SKILLS_CHANCE = {
    (1, "16"): 0.88, (1, "19"): 0.88, (1, "adult"): 0.88, (2, "16"): 0.55, (2, "19"): 0.4, (2, "adult"): 0.4,
}  # fmt: skip
LIFE_SKILLS_SECTOR = "14"
FIRST_JOBS_SECTOR = "7"  # where a job for someone whose interest is life skills is most often found
# How a statement names a sector subject area when it is not the young person's own interest.
SECTOR_WORDS = {
    "1": "health and care", "2": "science", "3": "animal care and horticulture", "4": "engineering",
    "5": "construction", "6": "digital technology", "7": "retail and catering", "8": "sport, leisure and travel",
    "9": "the arts and media", "10": "history", "11": "the social sciences", "12": "languages", "13": "education",
    "14": "independent living and work skills", "15": "business and administration",
}  # fmt: skip
HIGHER_EDUCATION_SECTORS = ("1", "2", "4", "6", "9", "11", "12", "13", "15")
SIXTH_FORM_SECTORS = frozenset({"1", "2", "6", "9", "10", "11", "12", "13", "15"})  # A levels and applied generals

PART_TIME_CHANCE = {
    "adult_social_care_day_opportunity": 0.4, "employment": 0.35, "supported_employment": 0.45, "volunteering": 0.85,
    "higher_education": 0.05,
}  # fmt: skip
STUDY_PART_TIME_CHANCE = {1: 0.35, 2: 0.1, 3: 0.04}

# Support needs: (code, chance) by pathway, by primary need and by route, shown in SUPPORT_ORDER.
PATHWAY_SUPPORT = {
    1: (("one_to_one_support", 0.7), ("personal_care", 0.6), ("communication_support", 0.4), ("physiotherapy", 0.2)),
    2: (("learning_support_in_class", 0.55), ("travel_training", 0.45), ("independent_living_skills", 0.4),
        ("one_to_one_support", 0.12)),
    3: (("learning_support_in_class", 0.5),),
}  # fmt: skip
NEED_SUPPORT = {
    "PMLD": (
        ("personal_care", 0.9), ("nursing_or_medical_care", 0.6), ("physiotherapy", 0.6),
        ("communication_support", 0.7),
    ),
    "SLD": (("personal_care", 0.5), ("communication_support", 0.5), ("speech_and_language_therapy", 0.3)),
    "MSI": (("sensory_support", 0.9), ("communication_support", 0.7)),
    "PD": (
        ("physiotherapy", 0.6), ("occupational_therapy", 0.5), ("personal_care", 0.3), ("assistive_technology", 0.3),
    ),
    "ASD": (("speech_and_language_therapy", 0.25), ("mental_health_support", 0.2)),
    "SLCN": (("speech_and_language_therapy", 0.5),),
    "SEMH": (("mental_health_support", 0.7), ("behaviour_support", 0.25)),
    "SPLD": (("assistive_technology", 0.6),),
    "HI": (("sensory_support", 0.9), ("communication_support", 0.4)),
    "VI": (("sensory_support", 0.9), ("assistive_technology", 0.5)),
}  # fmt: skip
ROUTE_SUPPORT = {
    "supported_internship": (("job_coach", 0.9),), "supported_employment": (("job_coach", 0.95),),
    "employment": (("job_coach", 0.1),), "adult_social_care_day_opportunity": (("supported_accommodation", 0.08),),
}  # fmt: skip
CLASSROOM_ROUTES = frozenset({"study_programme", "apprenticeship"})
SUPPORT_ORDER = (
    "learning_support_in_class", "one_to_one_support", "job_coach", "travel_training", "personal_care",
    "speech_and_language_therapy", "occupational_therapy", "physiotherapy", "mental_health_support",
    "behaviour_support", "sensory_support", "assistive_technology", "communication_support",
    "nursing_or_medical_care", "independent_living_skills", "supported_accommodation",
)  # fmt: skip

# Providers named in catalogue.py that certain intentions point at.
MAIN_COLLEGES = ("Northshire College", "Ashby Vale College")
LAND_BASED_COLLEGE, TECHNICAL_COLLEGE = "Northshire Land-based College", "Kingsmere College of Technology"
SUPPORTED_INTERNSHIP_COLLEGE = "Northshire College"
EMPLOYERS_BY_SECTOR = {"1": "Northshire Hospitals NHS Trust", "3": "Greystone Garden Centre"}


class Theme(NamedTuple):
    """What a young person is drawn to, tied to a tier 1 sector subject area."""

    sector: str  # sector subject area code
    topic: str  # how a course or job in it is described: "animal care"
    words: tuple[str, ...]  # first-person sentences
    employment: tuple[str, ...]  # the employment aspiration


THEMES = (
    Theme("3", "animal care", (
        "I want to work with animals.", "I love dogs and want to work at a kennels.",
        "I like horses and want to look after them.", "I help with our pets at home and I want to do that as a job.",
    ), ("Work with animals, at a farm, kennels or stables", "A job looking after animals")),
    Theme("3", "horticulture", (
        "I like being outside and growing things.", "I want to work in a garden centre.",
        "I like helping my grandad in his garden.",
    ), ("Work outdoors in gardening or landscaping", "A job at a garden centre or nursery")),
    Theme("7", "catering", (
        "I like cooking and want to work in a café.", "I want to be a chef.",
        "I like baking cakes for my family.", "I like cooking and want to live with my friends.",
    ), ("Work in a kitchen or a café", "Train to be a chef")),
    Theme("7", "hair and beauty", (
        "I want to be a hairdresser.", "I like doing nails and make-up.",
    ), ("Work in a hair or beauty salon", "Have my own salon one day")),
    Theme("7", "retail", (
        "I want to work in a shop.", "I like helping people find things in the supermarket.",
    ), ("A job in a shop or supermarket", "Work in retail, on the tills or stacking shelves")),
    Theme("8", "sport and fitness", (
        "I love football and want to be a coach.", "I like swimming and the gym.",
        "I want to work at the leisure centre.",
    ), ("Work in sport, maybe as a coach", "A job at a leisure centre")),
    Theme("8", "travel and tourism", (
        "I like trains and want to work at the station.", "I want to work at the airport.",
    ), ("Work in travel, at a station or an airport",)),
    Theme("1", "health and social care", (
        "I want to help people, like a carer or a nurse.", "I want to work in a care home.",
        "I want to be a paramedic.",
    ), ("Work in care, helping older people", "Become a nurse or a paramedic")),
    Theme("1", "childcare", (
        "I like looking after my little cousins.", "I want to work in a nursery.",
    ), ("Work with young children in a nursery",)),
    Theme("6", "IT and digital skills", (
        "I like computers and want to make games.", "I want to fix computers.",
        "I like coding and making videos.",
    ), ("Work with computers, maybe making games", "A job in IT support")),
    Theme("9", "art and design", (
        "I like drawing and painting.", "I want to be an artist or make comics.",
    ), ("Do something creative, like art or design",)),
    Theme("9", "music and media", (
        "I love music and want to make my own songs.", "I like acting and being on stage.",
        "I want to make films.",
    ), ("Work in music, theatre or media",)),
    Theme("5", "construction", (
        "I want to be a builder.", "I like making things with wood.", "I want to be an electrician.",
    ), ("Work in building, as a joiner or an electrician", "A construction apprenticeship")),
    Theme("4", "engineering", (
        "I want to fix cars.", "I like taking things apart to see how they work.",
    ), ("Work as a mechanic", "An engineering apprenticeship")),
    Theme("15", "business and administration", (
        "I want to work in an office.", "I am good at being organised and want an office job.",
    ), ("An office job, in administration", "Work in business")),
    Theme("2", "science", (
        "I like science and want to go to university.", "I want to be a vet or a scientist.",
    ), ("Go to university to study science",)),
    Theme("13", "education and training", (
        "I want to be a teaching assistant.", "I like helping younger pupils read.",
    ), ("Work in a school as a teaching assistant",)),
    Theme("12", "languages", (
        "I like reading and writing stories.", "I want to learn Spanish and travel.",
    ), ("Study English or languages",)),
    Theme("11", "psychology", ("I want to understand how people think.",), ("Study psychology",)),
    Theme("14", "independent living and work skills", (
        "I want to learn to cook and go shopping on my own.", "I want to get better at reading and money.",
    ), ("Get ready for work with a job coach", "Find a job I enjoy")),
)  # fmt: skip

# Sector weights by pathway for a young person's theme (by position in THEMES).
THEME_WEIGHTS = {
    1: (2, 4, 3, 0, 1, 2, 1, 0, 0, 1, 3, 6, 0, 0, 0, 0, 0, 0, 0, 12),
    2: (7, 4, 8, 2, 5, 4, 2, 3, 1, 5, 3, 3, 3, 2, 2, 0, 0, 0, 0, 14),
    3: (6, 3, 7, 4, 4, 6, 2, 7, 3, 9, 5, 6, 7, 6, 6, 3, 2, 1, 1, 2),
}

# Sentences any young person might say, by pathway.
LIFE_WORDS = {
    1: (
        "I like music and the sensory room.", "I like swimming and being with my family.",
        "I like going to the park in my wheelchair.", "I am happy when I am with my friends.",
        "I like the bus and going to the shops.", "I like stories and singing.",
        "I want to keep doing the things I enjoy.",
    ),
    2: (
        "I want to live with my friends one day.", "I want to go to college on the bus by myself.",
        "I want a job and to earn my own money.", "I want to stay with my friends from school.",
        "I want to learn to cook my own tea.", "I get worried about new places, so I want to visit first.",
    ),
    3: (
        "I want to go to college with my friends.", "I want to learn to drive.",
        "I want to get my own flat one day.", "I don't like big crowds, so I want a smaller college.",
        "I want to earn money and save up for a car.", "I want to do my GCSE resits and pass maths.",
        "I want a part-time job at the weekend.",
    ),
}  # fmt: skip

# How the words of someone who communicates without speech were gathered.
SHARED_WITHOUT_SPEECH = (
    "(Shared using eye gaze) ", "(Shared with symbols and my communication book) ",
    "(Shared with my teacher before the meeting) ", "(Shared using Makaton) ",
)  # fmt: skip

ASPIRATIONS = {
    "employment": {
        1: (
            "Do things I enjoy in the day, like music and art sessions", "Go to a day service with my friends",
            "Try some work experience with support", "Keep learning at a specialist college",
        ),
    },
    "independent_living": {
        1: (
            "Keep living at home with my family, with carers to help", "Have short breaks away from home",
            "Have my bedroom adapted for my equipment", "Choose my own clothes and food",
        ),
        2: (
            "Learn to travel on the bus on my own", "Live in supported living with friends",
            "Learn to cook simple meals", "Manage my own money with some help", "Do my own shopping",
        ),
        3: (
            "Learn to drive", "Move into my own flat", "Manage my money and pay bills",
            "Get a bus pass and travel on my own", "Live with friends when I am older",
        ),
    },
    "community": (
        "Keep in touch with my friends from school", "Join a youth club", "Go swimming on Saturdays",
        "Go to church with my family", "Join a football team", "Go to the cinema with friends",
        "Go to Scouts", "Take part in a drama group", "Go to the gym", "Make new friends at college",
        "Go to a disco with my friends", "Volunteer at the charity shop",
    ),
    "health": {
        1: (
            "Keep my seizures under control", "Have physio every week to stay comfortable",
            "Stay well and keep to my feeding plan", "Get my new wheelchair fitted",
        ),
        "general": (
            "Keep active and eat healthily", "Sleep better", "Look after my own medication",
            "Have my annual health check with the GP", "Go to the dentist on my own",
        ),
        "SEMH": ("Feel less anxious about new places", "Talk to someone when I feel low", "Keep seeing my counsellor"),
        "ASD": ("Feel less anxious about new places", "Have a quiet space when things get too much"),
        "HI": ("Keep up with my hearing aid checks",),
        "VI": ("Keep up with my eye appointments",),
        "PD": ("Keep up my physio and stay strong", "Stay comfortable in my wheelchair"),
    },
}  # fmt: skip

PARTICIPANTS_OTHER = ("Advocate", "Personal assistant", "Careers adviser", "Youth worker", "Interpreter", "Grandparent")

class ActionWording(NamedTuple):
    description: str  # {provider}: the first preferred provider other than their school; {topic}: their interest
    owner: str
    pathways: tuple[int, ...] = (1, 2, 3)  # the pathways the action makes sense for


# Actions by stage: before the end of Year 11, before the end of Year 13, and after school.
ACTIONS_BEFORE_16 = (
    ActionWording("Arrange a taster day at {provider}", "Keyworker"),
    ActionWording("Visit {provider} at its open evening", "Parent or carer"),
    ActionWording("Send the application to {provider}", "Young person", (2, 3)),
    ActionWording("Book a careers guidance interview", "School", (2, 3)),
    ActionWording("Update the one-page profile with the young person's views", "School"),
    ActionWording("Share the EHC plan with {provider}", "Keyworker"),
    ActionWording("Start travel training on the bus to school", "School", (2,)),
    ActionWording("Find a Saturday club or activity nearby", "Parent or carer"),
    ActionWording("Arrange work experience in {topic}", "School", (2, 3)),
    ActionWording("Book the annual health check with the GP", "Parent or carer", (1, 2)),
    ActionWording("Ask the educational psychologist for updated advice", "Keyworker"),
    ActionWording("Write down three questions to ask at the college visit", "Young person", (2, 3)),
    ActionWording("Ask the occupational therapist about equipment for college", "Keyworker", (1,)),
)  # fmt: skip
ACTIONS_BEFORE_19 = (
    ActionWording("Refer to adult social care for a Care Act assessment", "Keyworker", (1, 2)),
    ActionWording("Arrange a visit to {provider}", "Keyworker"),
    ActionWording("Apply to {provider}", "Young person", (2, 3)),
    ActionWording("Meet the job coach team", "Keyworker", (2,)),
    ActionWording("Look for apprenticeship vacancies in {topic}", "Young person", (3,)),
    ActionWording("Ask the college to share the latest progress report", "College"),
    ActionWording("Apply for a bus pass", "Parent or carer", (2, 3)),
    ActionWording("Look into Disabled Students' Allowance", "Parent or carer", (3,)),
    ActionWording("Complete the continuing healthcare checklist", "Keyworker", (1,)),
    ActionWording("Practise the journey to {provider}", "Young person", (2, 3)),
    ActionWording("Ask the GP to start the move to adult health services", "Parent or carer", (1, 2)),
)  # fmt: skip
ACTIONS_AFTER_SCHOOL = (
    ActionWording("Check in after the first half term", "Keyworker"),
    ActionWording("Help with a CV and job applications", "Keyworker", (2, 3)),
    ActionWording("Apply for Access to Work support", "Young person", (2, 3)),
    ActionWording("Look for volunteering in {topic}", "Young person", (2, 3)),
    ActionWording("Review the personal budget with adult social care", "Keyworker", (1, 2)),
    ActionWording("Arrange benefits advice", "Parent or carer", (1, 2)),
    ActionWording("Find out about supported living places nearby", "Keyworker", (1, 2)),
    ActionWording("Agree a plan for next year with {provider}", "College"),
    ActionWording("Book a follow-up call for the spring", "Keyworker"),
)  # fmt: skip

# The activity in a destinations statement: "By September 2027 Sam will be <activity>".
LEVEL_ARTICLE = {
    "entry_1": "an Entry level 1", "entry_2": "an Entry level 2", "entry_3": "an Entry level 3",
    "level_1": "a Level 1", "level_2": "a Level 2", "level_3": "a Level 3", "level_4_plus": "a degree",
}  # fmt: skip
# How a statement may end, by pathway, for a course and for work or a day service.
STATEMENT_ENDINGS = {
    (1, "course"): (", with health and care support in place", ", with support from a personal assistant", ""),
    (1, "other"): (", with health and care support in place", ", with support from a personal assistant", ""),
    (2, "course"): (", travelling there on their own", ", with support in class", ""),
    (2, "other"): (", travelling there on their own", ", with a job coach to help them settle", ""),
    (3, "course"): ("", "", ", travelling there on their own", ", working part time at the weekend"),
    (3, "other"): ("", "", ", travelling there on their own"),
}

# The statement as first saved, before the keyworker corrected it (an amendment's history).
FIRST_DRAFT_STATEMENT = "To be agreed at the next review."

# What a corrected level was first recorded as.
NEIGHBOURING_LEVEL = {
    "entry_1": "entry_2", "entry_2": "entry_1", "entry_3": "level_1", "level_1": "entry_3",
    "level_2": "level_3", "level_3": "level_2",
}  # fmt: skip

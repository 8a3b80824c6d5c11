"""The two kinds of import, by the name they have in URLs and in the API."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from destinations.imports.activities import COLUMNS as DESTINATION_COLUMNS
from destinations.imports.activities import DestinationsImport
from destinations.imports.columns import Column
from destinations.imports.young_people import COLUMNS as YOUNG_PEOPLE_COLUMNS
from destinations.imports.young_people import YoungPeopleImport


@dataclass(frozen=True)
class ImportKind:
    slug: str  # in URLs: /imports/<slug>, /api/v1/imports/<slug>
    name: str  # ImportRun.kind
    title: str
    columns: tuple[Column, ...]
    summary: str

    def importer(self, today: date):
        return YoungPeopleImport() if self.name == "young_people" else DestinationsImport(today)


KINDS = {
    "young-people": ImportKind(
        "young-people", "young_people", "Young people", YOUNG_PEOPLE_COLUMNS,
        "One row per young person, from your SEND case-management system or the school census. "
        "Young people already on the service (matched on UPN, or on the council person id when there is no UPN) are updated; "
        "the rest are added.",
    ),
    "destinations": ImportKind(
        "destinations", "destinations", "Destinations", DESTINATION_COLUMNS,
        "One row per activity (destination), for example your NCCIS history. The young people must already be on the service.",
    ),
}
BY_NAME = {kind.name: kind for kind in KINDS.values()}

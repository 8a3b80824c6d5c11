"""Bringing a council's existing data in from CSV and XLSX files: young people and destinations."""

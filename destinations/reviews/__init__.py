"""Preparation-for-adulthood reviews: aspirations, intended next steps and agreed actions."""

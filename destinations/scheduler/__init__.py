"""Scheduled work: the job table, the jobs themselves, the one process that runs them."""

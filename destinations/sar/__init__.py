"""Subject access requests: everything the service holds about one young person, in one pack."""

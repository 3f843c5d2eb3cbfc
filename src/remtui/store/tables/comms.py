"""Tables for comms (filled by its issue)."""

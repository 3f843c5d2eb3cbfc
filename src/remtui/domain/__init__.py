"""The shop's rules. Functions take a Session and plain values, return plain dataclasses
and raise DomainError with a message a clerk can read. Nothing here imports Textual."""

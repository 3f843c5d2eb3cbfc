"""Everything Textual. A thin client of the domain: no shop rule lives here."""

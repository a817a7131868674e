"""Mail the month's PDFs to the people who read them, exactly once (see docs/mail.md)."""

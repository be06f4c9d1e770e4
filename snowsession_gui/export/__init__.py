"""File > Export: the timeline as PNG or CSV, the event log as CSV or JSON."""

"""The session audit: each user's session chain checked, on captures and at warehouse scale.

The checks are defined once, as SQL (:mod:`.checks`), over one relation of events
(:mod:`.columns`); DuckDB runs them embedded (:mod:`.duck`), Spark runs them past one machine
(:mod:`.spark`), and a warehouse runs them as the query :mod:`.dialects` writes for it.

- :mod:`.kinds`: every kind of finding, with its title, check and cause;
- :mod:`.rules`: the timeouts and expected new sessions, per app and platform;
- :mod:`.inputs`, :mod:`.readers`, :mod:`.rows`, :mod:`.entity`: what is read, and how;
- :mod:`.result`, :mod:`.report`, :mod:`.output`: what was found, and how it is written.
"""

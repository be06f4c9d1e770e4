"""Monitor mode: a read-only window on a save file another program writes."""

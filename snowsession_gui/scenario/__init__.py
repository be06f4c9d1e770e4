"""Scenarios in the window: open, play, record, and each expectation's pass or fail."""

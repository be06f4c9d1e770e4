"""Sending the window's events to a Snowplow collector: the window as a tracker, not a
collector.
"""

"""The engine's host in the window: the one route from a session to the views, the simulated clock,
the save watcher.
"""

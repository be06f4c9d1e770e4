"""Real trackers in the window: the collector's address, captures and lakes, lanes, chains and
findings.
"""

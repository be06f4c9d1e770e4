"""The main window's shell: the window, its frame (docks, menus, toolbar), help, the first run and
its demo.
"""

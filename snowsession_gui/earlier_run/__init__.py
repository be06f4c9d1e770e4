"""View > Earlier run: a run the window left, drawn under the one in force."""

"""Tests of the window (pytest-qt, offscreen)."""

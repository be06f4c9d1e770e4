"""The window's shared widgets and its palette: panels, controls and fields any view may use."""

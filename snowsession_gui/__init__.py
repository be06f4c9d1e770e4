"""snowsession-gui: the Qt window that monitors and simulates a client session."""

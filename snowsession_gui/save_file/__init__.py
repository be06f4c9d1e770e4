"""View > Save file: the save file on disk and every save the window made."""

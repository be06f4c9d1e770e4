"""The policy: its selector and panel, and the compare view (dotnet and mobile side by side)."""

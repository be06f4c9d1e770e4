"""The example scenarios: installed as the package ``session.scenario.examples`` (see pyproject)."""

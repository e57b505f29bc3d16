"""Forms of the planning pages, one module per page (``forms.needs``, ``forms.goals``…)."""

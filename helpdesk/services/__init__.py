"""State changes of the people side, one module per family: presence, contacts, activities, requests,
profiles. Each function is the one home of its change."""

"""The people side's pages and actions, thin: the agent's own settings, a chat's contact, its requests."""

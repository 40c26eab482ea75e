"""Every state change of a chat, one function per verb (see sessions, messages, listeners)."""

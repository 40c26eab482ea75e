"""Who is logged in, read once per request with what every agent page needs of them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AgentBackend(ModelBackend):
    """Django's own backend, but a request's user comes with their agent profile in the same query: the
    language middleware and nearly every agent view read it, which was a query of its own per request."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("agent_profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

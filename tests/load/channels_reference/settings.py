"""Settings of the minimal Channels reference: no database, no middleware, no helpdesk code.

The benchmark serves it with the same Daphne and channels-redis layer as the product, so the gap between
the two is what the product adds on top of "Channels relays a message to a group".
"""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "channels-reference-not-secret")
DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
ROOT_URLCONF = "channels_reference.urls"
ASGI_APPLICATION = "channels_reference.asgi.application"
USE_TZ = True

# The product's layer configuration (helpdesk/settings.py), under the reference's own key prefix.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": None}],
            "capacity": 1000,
            "group_expiry": 86400,
            "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "channels-reference"),
        },
    }
}

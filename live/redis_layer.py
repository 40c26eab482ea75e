"""channels-redis' core layer with a connection pool that waits instead of failing.

Its own pool raises "Too many connections" once a process holds `max_connections`: when hundreds of
sockets close at once, their disconnect()s then fail to leave their groups (the memberships linger
until they expire) and pushes sent meanwhile are lost. A blocking pool makes the surplus wait
`timeout` seconds for a free connection instead.
"""

from channels_redis.core import RedisChannelLayer as CoreRedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class RedisChannelLayer(CoreRedisChannelLayer):
    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:
            return super().create_pool(index)
        return BlockingConnectionPool.from_url(host.pop("address"), **host)

"""A Redis cache that degrades instead of failing: with Redis down, a read misses,
a write is dropped and ``add`` succeeds, each logged. Login rate limits (allauth)
read this cache: they stop counting for the outage instead of giving a 500."""

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _redis_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def _safely(self, name, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _redis_errors():
            logger.warning("cache unavailable (%s): degraded", name, exc_info=False)
            return default

    def get(self, key, default=None, version=None):
        return self._safely("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._safely("get_many", {}, keys, version)

    def set(self, key, value, timeout=..., version=None):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        timeout = DEFAULT_TIMEOUT if timeout is ... else timeout
        return self._safely("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=..., version=None):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        timeout = DEFAULT_TIMEOUT if timeout is ... else timeout
        # allauth takes a lock with add(): granting it keeps the login working.
        return self._safely("add", True, key, value, timeout, version)

    def set_many(self, data, timeout=..., version=None):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        timeout = DEFAULT_TIMEOUT if timeout is ... else timeout
        return self._safely("set_many", [], data, timeout, version)

    def delete(self, key, version=None):
        return self._safely("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._safely("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._safely("incr", delta, key, delta, version)

    def has_key(self, key, version=None):
        return self._safely("has_key", False, key, version)

    def touch(self, key, timeout=..., version=None):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        timeout = DEFAULT_TIMEOUT if timeout is ... else timeout
        return self._safely("touch", False, key, timeout, version)

    def clear(self):
        return self._safely("clear", None)

"""kazoo's ``kazoo.handlers`` package: :mod:`.threading` and :mod:`.gevent` (gevent imported on use)."""

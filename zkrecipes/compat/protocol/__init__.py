"""kazoo's ``kazoo.protocol`` package: only :mod:`.states` is public API."""

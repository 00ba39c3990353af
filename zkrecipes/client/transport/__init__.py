"""Transports: they move bytes and timers for one concurrency model and drive the
sans-IO session layer (:mod:`zkrecipes.client.session`); they decide nothing.

* :mod:`.threaded` — :class:`ThreadedTransport`, OS threads or gevent greenlets
  through the handler.
"""

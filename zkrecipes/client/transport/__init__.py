"""Transports: move bytes and timers for one concurrency model.

:class:`~zkrecipes.client.transport.threaded.ThreadedTransport` serves
threads and greenlets (through the handler). The client talks to a transport
only through the members documented on that class (the facade).
"""

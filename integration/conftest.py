"""Integration tests run against a real ZooKeeper.

The fixtures (zk_server, zk_hosts, zk_chroot, zk_ensemble, fault_proxy, zk_client …)
come from the ``zkrecipes`` pytest plugin (entry point, zkrecipes.testing.pytest_plugin).
``zk_handler = "all"`` in pyproject.toml runs every ``zk_client`` test under each handler
(threading, and gevent when installed); ``--zk-handler threading`` runs only the first.
"""

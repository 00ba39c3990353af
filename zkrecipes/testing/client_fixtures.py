"""Client fixtures for the pytest plugin (a started ZkClient per test, in its own chroot)."""

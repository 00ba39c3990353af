"""Service discovery's rules, front-end neutral (pure: no client, no I/O).

* :func:`instance_node_mode`: the znode mode of a registered instance, as
  curator-x-discovery makes it — DYNAMIC is EPHEMERAL, DYNAMIC_SEQUENTIAL is
  EPHEMERAL_SEQUENTIAL, STATIC and PERMANENT are PERSISTENT.
* :class:`InstanceTable`: a ServiceCache's instances, from the events of a
  CuratorCache of ``<base>/<name>``: only direct children are instances; one
  whose JSON cannot be parsed is left out (logged), as Curator's cache does;
  :meth:`InstanceTable.apply` says whether the list changed.
"""

from __future__ import annotations

import logging

from zkrecipes.client.protocol.paths import split_path
from zkrecipes.recipes._tree_mirror import NodeData
from zkrecipes.recipes.curator.service_instance import ServiceInstance
from zkrecipes.recipes.curator.service_type import ServiceType

__all__ = ["InstanceTable", "instance_node_mode"]

log = logging.getLogger("zkrecipes.recipes.curator.service_cache")


def instance_node_mode(instance: ServiceInstance) -> tuple[bool, bool]:
    """(ephemeral, sequential) of ``instance``'s node."""
    return instance.service_type.is_dynamic, instance.service_type is ServiceType.DYNAMIC_SEQUENTIAL


class InstanceTable:
    """The instances of the service at ``path``, by id (see the module docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._instances: dict[str, ServiceInstance] = {}

    def __len__(self) -> int:
        return len(self._instances)

    def clear(self) -> None:
        self._instances.clear()

    def instances(self) -> list[ServiceInstance]:
        """The instances, in id order."""
        return [self._instances[key] for key in sorted(self._instances)]

    def apply(self, old_data: NodeData | None, data: NodeData | None) -> bool:
        """Take in a cache event (``data`` None: a deletion); whether the instance list changed."""
        node = data if data is not None else old_data
        if node is None:
            return False
        parent, instance_id = split_path(node.path)
        if parent != self.path:
            return False  # the service node itself, or something deeper
        instance: ServiceInstance | None = None
        if data is not None:
            try:
                instance = ServiceInstance.from_json(data.data)
            except ValueError as error:
                log.warning("service cache %s: instance %s left out: %s", self.path, instance_id, error)
        before = self._instances.pop(instance_id, None)
        if instance is not None:
            self._instances[instance_id] = instance
        return before != instance

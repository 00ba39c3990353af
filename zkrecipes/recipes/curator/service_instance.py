"""ServiceInstance: one registered instance, and its JSON as curator-x-discovery writes it.

The bytes are those of Curator's default ``JsonInstanceSerializer`` (its
compatible mode: no ``enabled`` field), fields in Curator's order::

    {"name":..,"id":..,"address":..,"port":..,"sslPort":..,"payload":..,
     "registrationTimeUTC":<ms>,"serviceType":"DYNAMIC","uriSpec":..}

A payload is a JSON object; it is written with Jackson's type property
``"@class": "java.util.LinkedHashMap"`` (so a Java ``Map`` payload class reads
it) and read back without that property. Reading follows Curator: unknown
fields are ignored, missing ones take defaults (``registrationTimeUTC`` 0,
``serviceType`` DYNAMIC, ``enabled`` True), an unknown ``serviceType``
(case-sensitive) is an error. ``uri_spec`` is kept as the JSON it was read as.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from zkrecipes.recipes.curator.service_type import ServiceType

__all__ = ["PAYLOAD_CLASS", "ServiceInstance"]

#: The Jackson type id written for a payload (a JSON object as a Java ``Map``).
PAYLOAD_CLASS = "java.util.LinkedHashMap"


def _local_ip() -> str:
    from zkrecipes.recipes.curator._encoding import local_address

    return local_address().decode("ascii")


@dataclass(frozen=True, slots=True)
class ServiceInstance:
    """An instance of service ``name`` (see the module docstring)."""

    name: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    address: str | None = field(default_factory=_local_ip)
    port: int | None = None
    ssl_port: int | None = None
    payload: dict[str, Any] | None = None
    registration_time_utc: int = field(default_factory=lambda: int(time.time() * 1000))
    service_type: ServiceType = ServiceType.DYNAMIC
    uri_spec: Any = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise ValueError(f"service name must be a non-empty str without '/': {self.name!r}")
        if not isinstance(self.id, str) or not self.id or "/" in self.id:
            raise ValueError(f"instance id must be a non-empty str without '/': {self.id!r}")
        if self.payload is not None and not isinstance(self.payload, dict):
            raise TypeError("payload must be a JSON object (dict) or None")

    def to_json(self) -> bytes:
        """Curator's bytes for this instance."""
        payload = None if self.payload is None else {"@class": PAYLOAD_CLASS, **self.payload}
        message = {
            "name": self.name, "id": self.id, "address": self.address, "port": self.port,
            "sslPort": self.ssl_port, "payload": payload,
            "registrationTimeUTC": self.registration_time_utc,
            "serviceType": self.service_type.value, "uriSpec": self.uri_spec,
        }
        if not self.enabled:  # Curator's compatible mode writes no "enabled"; only a disabled one says so
            message["enabled"] = False
        return json.dumps(message, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes | None) -> ServiceInstance:
        """Parse Curator's bytes (``ValueError`` for anything Curator could not read either)."""
        try:
            message = json.loads((data or b"").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a service instance: {exc}") from exc
        if not isinstance(message, dict):
            raise ValueError("not a service instance: not a JSON object")
        payload = message.get("payload")
        if isinstance(payload, dict):
            payload = {k: v for k, v in payload.items() if k != "@class"}
        elif payload is not None:
            raise ValueError(f"payload is not a JSON object: {payload!r}")
        try:
            service_type = ServiceType(message.get("serviceType", "DYNAMIC"))
        except ValueError:
            raise ValueError(f"unknown serviceType {message.get('serviceType')!r}") from None
        return cls(
            name=str(message.get("name") or ""), id=str(message.get("id") or ""),
            address=message.get("address"), port=message.get("port"), ssl_port=message.get("sslPort"),
            payload=payload, registration_time_utc=int(message.get("registrationTimeUTC") or 0),
            service_type=service_type, uri_spec=message.get("uriSpec"),
            enabled=bool(message.get("enabled", True)),
        )

"""Recipe factories on the client (``client.Lock(path)``, …), imported lazily."""

from __future__ import annotations

import importlib
from typing import Any


def _recipe(name: str) -> Any:
    return getattr(importlib.import_module("zkrecipes.recipes"), name)


class RecipeFactories:
    """``client.X(*args, **kwargs)`` is ``zkrecipes.recipes.X(client, *args, **kwargs)``."""

    def Barrier(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - kazoo's names
        return _recipe("Barrier")(self, *args, **kwargs)

    def Counter(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("Counter")(self, *args, **kwargs)

    def DoubleBarrier(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("DoubleBarrier")(self, *args, **kwargs)

    def ChildrenWatch(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("ChildrenWatch")(self, *args, **kwargs)

    def DataWatch(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("DataWatch")(self, *args, **kwargs)

    def Election(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("Election")(self, *args, **kwargs)

    def Lock(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("Lock")(self, *args, **kwargs)

    def ReadLock(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("ReadLock")(self, *args, **kwargs)

    def WriteLock(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("WriteLock")(self, *args, **kwargs)

    def Semaphore(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("Semaphore")(self, *args, **kwargs)

    def NonBlockingLease(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("NonBlockingLease")(self, *args, **kwargs)

    def MultiNonBlockingLease(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("MultiNonBlockingLease")(self, *args, **kwargs)

    def Party(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("Party")(self, *args, **kwargs)

    def ShallowParty(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("ShallowParty")(self, *args, **kwargs)

    def Queue(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("Queue")(self, *args, **kwargs)

    def LockingQueue(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("LockingQueue")(self, *args, **kwargs)

    def SetPartitioner(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("SetPartitioner")(self, *args, **kwargs)

    def TreeCache(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("TreeCache")(self, *args, **kwargs)

    def PatientChildrenWatch(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        return _recipe("PatientChildrenWatch")(self, *args, **kwargs)

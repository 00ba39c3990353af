"""The client API, defined once for every front end.

* :mod:`.nodes`, :mod:`.extras` — each operation once: argument checks,
  request building, result conversion; a single request is a :class:`~.steps.Call`;
* :mod:`.plans`, :mod:`.protected` — the multi-step operations as plans
  (generators of steps), written once;
* :mod:`.steps` — the step and result vocabulary plans and drivers share;
* :mod:`.drivers` — run an operation blocking (sync methods) or by callbacks
  (``*_async``); an asyncio driver is the same loop with ``await``;
* :mod:`.bindings` — the front-end methods, *generated* from :mod:`.nodes` and
  :mod:`.extras` by ``scripts/gen_api.py`` (a unit test checks it is current).
"""

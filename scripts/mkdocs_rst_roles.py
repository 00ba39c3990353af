"""A griffe extension for the docs site: reST roles in docstrings become optional cross-references.

zkrecipes' docstrings use Sphinx-style roles (``:class:`~zkrecipes.x.Y```,
``:meth:`start```, ``:mod:`.streams```). Markdown has no roles, so each one is
rewritten to an mkdocs-autorefs ``<autoref ... optional>`` element: a link where
the target is documented on the site, plain code where it is not (a private
module), and never a warning. ``~`` shows the last name only, as in Sphinx.
Relative targets (``.parts.X``) resolve against the docstring's package; bare
names (``start``) against its class, then its module.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj|const):`(?P<target>[^`]+)`")


def _context(obj: griffe.Object) -> tuple[str, str, str]:
    """(class path or "", module path, package path) around ``obj``."""
    cls = obj if obj.is_class else (obj.parent if obj.parent is not None and obj.parent.is_class else None)
    module = obj.module
    package = module.path if module.is_package else (module.parent.path if module.parent else module.path)
    return (cls.path if cls is not None else ""), module.path, package


def _identifier(target: str, obj: griffe.Object) -> str:
    cls, module, package = _context(obj)
    if target.startswith("."):
        base = package.split(".")
        dots = len(target) - len(target.lstrip("."))
        base = base[: len(base) - (dots - 1)] if dots > 1 else base
        return ".".join([*base, target.lstrip(".")])
    if target.startswith("zkrecipes") or "." in target.split("(")[0]:
        return target
    return f"{cls}.{target}" if cls else f"{module}.{target}"


def rewrite(text: str, obj: griffe.Object) -> str:
    """``text`` with every reST role replaced by an optional autoref."""

    def one(match: re.Match[str]) -> str:
        raw = match.group("target").strip()
        short = raw.startswith("~")
        target = raw.lstrip("~").removesuffix("()")
        shown = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
        if match.group(0).startswith((":meth:", ":func:")):
            shown += "()"
        ident = html.escape(_identifier(target, obj), quote=True)
        return f'<autoref identifier="{ident}" optional><code>{html.escape(shown)}</code></autoref>'

    return ROLE.sub(one, text)


class RstRoles(griffe.Extension):
    """Rewrite the roles of every docstring griffe loads (see the module docstring)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value, obj)

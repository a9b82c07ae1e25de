"""A griffe extension for the API reference: Sphinx markup in the docstrings, read as Markdown.

The package's docstrings are numpy style, and some of them use Sphinx roles (``:func:`x```,
``:class:`~a.b.C```, ``:math:`x_i```) and ``.. math::`` blocks. mkdocstrings renders docstrings as
Markdown, where those would show as raw markup. This extension rewrites them when the docstrings are
loaded, without touching the source:

- a role becomes a code span of its text: ``:func:`~coalitionlab.models.robustness``` reads
  ``robustness``, ``:class:`title <target>``` reads ``title``, ``:math:`x_i``` reads ``x_i``;
- a ``.. math::`` block becomes a fenced ``latex`` code block (the site loads no MathJax: it reads
  offline, see the methods guide).

mkdocs.yml loads it through the mkdocstrings handler's ``extensions`` option.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|meth|class|data|attr|mod|obj|exc|math|const|ref):`([^`]+)`")
MATH_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*\n(?P<body>(?:(?:(?P=indent)[ \t]+.*)?\n)+)", re.M)


def _role_text(match: re.Match[str]) -> str:
    text = match.group(1)
    titled = re.fullmatch(r"(.+?)\s*<([^>]+)>", text, re.S)
    if titled:
        text = titled.group(1)
    elif text.startswith("~"):
        text = text[1:].rsplit(".", 1)[-1]
    return f"`{text}`"


def _math_block(match: re.Match[str]) -> str:
    indent = match.group("indent")
    body = textwrap.dedent(match.group("body")).strip("\n")
    fenced = "\n".join(indent + line if line else "" for line in ["```latex", *body.splitlines(), "```"])
    return fenced + "\n\n"


def convert(text: str) -> str:
    """Sphinx roles and ``.. math::`` blocks of one docstring, as Markdown.

    >>> convert("Solves :math:`h(X)=0`; see :func:`~a.b.solve` and :class:`the world <a.World>`.")
    'Solves `h(X)=0`; see `solve` and `the world`.'
    """
    return ROLE.sub(_role_text, MATH_BLOCK.sub(_math_block, text))


class SphinxRoles(griffe.Extension):
    """Rewrite every loaded docstring with :func:`convert`."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)

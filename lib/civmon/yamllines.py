"""Line numbers of the keys of a YAML document, so errors in a params or mapping file can say where."""

from __future__ import annotations

import yaml


def key_lines(text: str) -> dict[tuple, int]:
    """Line numbers (1-based) of each mapping key and sequence item in a YAML document, by path."""
    lines: dict[tuple, int] = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for k, val in node.value:
                key = (*path, k.value)
                lines[key] = k.start_mark.line + 1
                walk(val, key)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                walk(item, (*path, i))

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def line_of(lines: dict[tuple, int], loc: tuple) -> int | None:
    """The line of the deepest known prefix of `loc`."""
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None

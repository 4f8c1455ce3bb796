"""Where things are in a YAML file, so that every content problem can name its line.

`Positions(text)` composes the document (the YAML parser's node tree keeps each node's start mark)
and maps every mapping key and sequence item, by its path of keys and indexes, to its line. It
reads any indentation, flow style or comment layout the parser reads: no text search.
"""

import yaml


class Positions:
    def __init__(self, text: str):
        self._lines: dict[tuple, int] = {}
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            root = None  # the loader reports the error itself; there are no positions to give
        if root is not None:
            self._visit(root, ())

    def _visit(self, node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*path, str(key.value))
                self._lines[here] = key.start_mark.line + 1
                self._visit(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                here = (*path, index)
                self._lines[here] = item.start_mark.line + 1
                self._visit(item, here)

    def line(self, *path) -> int | None:
        """The line of the node at `path` (keys as strings, list indexes as ints), or of the
        nearest enclosing node that exists; None for the document itself."""
        path = tuple(part if isinstance(part, int) else str(part) for part in path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None


def load(text: str) -> tuple[object, Positions]:
    """The document's data (safe loader) and where each of its parts is. Raises yaml.YAMLError."""
    return yaml.safe_load(text), Positions(text)

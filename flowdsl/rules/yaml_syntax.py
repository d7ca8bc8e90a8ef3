"""yaml-syntax: the file cannot be read as a flow.

Fires for malformed YAML or JSON, bytes that are not UTF-8, tab indentation, an empty file,
a top level that is a list or a scalar instead of a mapping, duplicate mapping keys (PyYAML
would silently keep the last one), and alias expansion past a safe budget ("billion laughs").

    steps:
      - id: a
        id: b        # yaml-syntax: duplicate key "id"
"""

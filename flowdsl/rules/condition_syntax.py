"""condition-syntax: a choice condition that does not parse.

Conditions are written as text (``$.a.b == 3 and ($.c matches ".mp4" or not $.d exists)``)
or as the engine's JSON tree (``{expression, operator, value}``, ``{and: [...]}``,
``{or: [...]}``, ``{not: {...}}``). An unknown operator, a missing operand, an expression
that is not a ``$.`` reference or an unbalanced parenthesis fires.

    if: $.gen.primary ~= ".mp4"    # condition-syntax: unexpected "~"
"""

"""schema: the structure of the flow or definition is wrong.

An unknown key (with a did-you-mean), a field of the wrong type (a list where a mapping is
expected, a string timeout that is not a duration...), a step with no kind or with two
kinds, an unknown step type, a missing required field (a model step without ``model``).

    - id: gen
      modle: flux-2-pro     # schema: unknown key "modle" (did you mean "model"?)
"""

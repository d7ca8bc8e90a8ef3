"""mocks: an entry of a mocks file (``flowdsl simulate --mocks``) that does not fit the flow.

Reported on the mocks file, not on the flow: an unknown step id (with a did-you-mean), a
response for a step kind that takes none, a value of the wrong type (a duration that is not
a duration, a failure rate outside 0..1, an attempt number that is not a whole number), or
a key the mocks format does not have. ``simulate`` refuses to run with such a file (exit 2),
because a mock that silently does not apply rehearses a different run than the one intended.

    steps:
      portriat:            # mocks: no step "portriat"; did you mean "portrait"?
        output: https://example.com/a.png
"""

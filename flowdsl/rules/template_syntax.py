"""template-syntax: a ``{{...}}`` template that does not parse.

Templates are ``{{inputs.name}}``, ``{{step.output}}``, ``{{step.primary}}`` or
``{{step.output.a.b}}``, possibly several in one string with literal text between.
An unclosed ``{{``, an empty ``{{}}`` or a reference that is not a dotted name fires.

    prompt: "a photo of {{inputs.subject"   # template-syntax: '{{' is never closed
"""

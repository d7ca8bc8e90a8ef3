"""The small languages inside a flow: {{...}} templates and $.x conditions (lark grammars)."""

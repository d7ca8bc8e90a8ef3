"""flowdsl: write each::workflows pipelines as text; check, compile, deploy and simulate them."""

__version__ = "0.1.0"

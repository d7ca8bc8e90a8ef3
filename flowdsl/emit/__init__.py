"""Writers: the engine JSON compiler, the .flow.yaml printer, diagrams."""

"""Command-line tools: the mock's CLI (`implicitflow-mock`), the demo, and the benchmark."""

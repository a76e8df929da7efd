"""Load benchmark of the assistant (`make bench`, `make soak`): see docs/benchmarks.md."""

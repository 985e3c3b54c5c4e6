"""The lab's helpers shared by the integration tests and the benchmarks (lab/paths.py, lab/probes.py);
the scripts beside them run on their own (python lab/<script>.py)."""

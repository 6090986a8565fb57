"""The demo salon: realistic, deterministic data for trying the desk and for benchmarks."""

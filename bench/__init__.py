"""The benchmark: whole runs of this project against the peers' way and against the floor.

`bash bench/run.sh` (or `python -m bench`) generates the scenarios, runs every contender against the
local emulator with injected latency, and writes BENCHMARKS.md and the plots under docs/.
"""

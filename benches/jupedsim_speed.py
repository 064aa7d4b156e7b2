"""Times JuPedSim's Collision-Free Speed Model on TwinCity's crowd benchmark set-up and prints
the ratio to TwinCity's own timing, measured in the same run.

    pip install jupedsim shapely
    cargo build --release -p twincity_crowd --example bench_sim
    python3 benches/jupedsim_speed.py 1000,10000 [STEPS]

Set-up (as in twincity_crowd::bench): N agents at 1 person/m2 on a jittered 1 m lattice
in an open square, desired speeds 1.34 +- 0.26 m/s (clamped to 0.5-2.0), radius 0.2 m, walking
east; default model parameters (time gap 0.7 s, TwinCity's default), dt = 0.01 s, one thread. Both are timed over STEPS steps after
one warm-up step.

Two TwinCity arms: the model alone (`ms_per_step`: agents walk to a fixed point), and the whole
run (`run_ms_per_step`, up to 10 000 agents): the same people as a crowd scenario whose journey
ends at the same exit strip, so that TwinCity's journey logic (route legs, line-of-sight
advance and re-planning every 0.1 s, leaving at the exit) is timed as JuPedSim's `iterate`
times its journey and stage logic. The second ratio is the like-for-like one.
"""
import json
import math
import pathlib
import random
import subprocess
import sys
import time

import jupedsim as jps
from shapely import Polygon

sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "1000,10000").split(",")]
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
root = pathlib.Path(__file__).resolve().parent.parent
exe = root / "target" / "release" / "examples" / "bench_sim"


def jupedsim_ms_per_step(n: int) -> float:
    side = math.ceil(math.sqrt(n)) + 2.0
    per_row = int(side) - 2
    rng = random.Random(42)
    sim = jps.Simulation(model=jps.CollisionFreeSpeedModel(),
                         geometry=Polygon([(0, 0), (side, 0), (side, side), (0, side)]), dt=0.01)
    exit_id = sim.add_exit_stage(Polygon([(side - 1, 0), (side, 0), (side, side), (side - 1, side)]))
    journey = sim.add_journey(jps.JourneyDescription([exit_id]))
    for k in range(n):
        x = k % per_row + 1.5 + rng.uniform(-0.2, 0.2)
        y = k // per_row + 1.5 + rng.uniform(-0.2, 0.2)
        v0 = min(2.0, max(0.5, rng.gauss(1.34, 0.26)))
        sim.add_agent(jps.CollisionFreeSpeedModelAgentParameters(
            journey_id=journey, stage_id=exit_id, position=(x, y), desired_speed=v0, radius=0.2,
            time_gap=0.7))
    sim.iterate()
    t0 = time.perf_counter()
    sim.iterate(steps)
    return (time.perf_counter() - t0) * 1e3 / steps


ours = {}
out = subprocess.run([str(exe), ",".join(map(str, sizes)), str(steps)],
                     check=True, capture_output=True, text=True).stdout
for line in out.splitlines():
    r = json.loads(line)
    ours[r["agents"]] = (r["ms_per_step"], r.get("run_ms_per_step"))

print(f"{'agents':>8} {'TwinCity model':>15} {'TwinCity run':>13} {'JuPedSim':>9} "
      f"{'JuPedSim / model':>17} {'JuPedSim / run':>15}   (ms/step)")
for n in sizes:
    theirs = jupedsim_ms_per_step(n)
    model, run = ours[n]
    run_cell = f"{run:>13.2f}" if run is not None else f"{'-':>13}"
    ratio_run = f"{theirs / run:>15.2f}" if run is not None else f"{'-':>15}"
    print(f"{n:>8} {model:>15.2f} {run_cell} {theirs:>9.2f} {theirs / model:>17.2f} {ratio_run}")

"""Runs the bottleneck scenario (scenarios/bottleneck.ron geometry) in JuPedSim's
Collision-Free Speed Model (its default parameters, except the time gap, which is TwinCity's
default unless given), to compare the flow through the 1 m bottleneck with TwinCity's
implementation of the same model.

    pip install jupedsim shapely
    python3 benches/jupedsim_bottleneck.py [SEED] [TIME_GAP]

Prints the steady flow (20th to 80th person past x = 12 m) in persons per second.
"""
import random
import sys

import jupedsim as jps
from shapely import Polygon

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 7
time_gap = float(sys.argv[2]) if len(sys.argv) > 2 else 0.7
rng = random.Random(seed)
area = Polygon([(0, 0), (10, 0), (10, 4.5), (12, 4.5), (12, 0), (18, 0), (18, 10), (12, 10),
                (12, 5.5), (10, 5.5), (10, 10), (0, 10)])
sim = jps.Simulation(model=jps.CollisionFreeSpeedModel(), geometry=area, dt=0.01)
exit_id = sim.add_exit_stage(Polygon([(16, 0), (18, 0), (18, 10), (16, 10)]))
journey = sim.add_journey(jps.JourneyDescription([exit_id]))
placed = []
while len(placed) < 100:
    p = (rng.uniform(0.5, 8.0), rng.uniform(0.5, 9.5))
    if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 >= 0.42 ** 2 for q in placed):
        placed.append(p)
for p in placed:
    v0 = min(2.0, max(0.5, rng.gauss(1.34, 0.26)))
    sim.add_agent(jps.CollisionFreeSpeedModelAgentParameters(
        journey_id=journey, stage_id=exit_id, position=p, desired_speed=v0, radius=0.2,
        time_gap=time_gap))
passed = set()
times = []
while sim.agent_count() > 0 and sim.elapsed_time() < 300:
    sim.iterate()
    for a in sim.agents():
        if a.position[0] > 12 and a.id not in passed:
            passed.add(a.id)
            times.append(sim.elapsed_time())
    # agents removed at the exit were counted when they passed x = 12
print(f"jupedsim {jps.__version__} CFSM, time gap {time_gap} s: {len(times)} passed, "
      f"flow {60 / (times[79] - times[19]):.2f} persons/s")

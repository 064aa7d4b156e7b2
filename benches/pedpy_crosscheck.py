"""Cross-checks TwinCity's trajectory output with PedPy, JuPedSim's analysis library.

    pip install pedpy
    twincity sim scenarios/bottleneck.ron --trajectories bn.txt --walkable-wkt bn.wkt
    python3 benches/pedpy_crosscheck.py bn.txt bn.wkt 12.0 4.5 12.0 5.5

Loads the trajectories with `pedpy.load_trajectory` (which validates the text format), builds
the walkable area from the WKT, and prints the number of crossings and the mean flow through
the measurement line given by its two end points.
"""
import pathlib
import sys

import pedpy
from shapely import from_wkt

traj_file, wkt_file = sys.argv[1], sys.argv[2]
x0, y0, x1, y1 = map(float, sys.argv[3:7])
traj = pedpy.load_trajectory(trajectory_file=pathlib.Path(traj_file))
area = pedpy.WalkableArea(from_wkt(pathlib.Path(wkt_file).read_text()))
line = pedpy.MeasurementLine([(x0, y0), (x1, y1)])
nt, crossing = pedpy.compute_n_t(traj_data=traj, measurement_line=line)
speed = pedpy.compute_individual_speed(traj_data=traj, frame_step=5)
flow = pedpy.compute_flow(nt=nt, crossing_frames=crossing, individual_speed=speed,
                          delta_frame=100, frame_rate=traj.frame_rate)
print(f"pedpy {pedpy.__version__}: {traj.data.id.nunique()} agents at {traj.frame_rate} fps, "
      f"walkable area {area.polygon.area:.1f} m2, {len(crossing)} crossings, "
      f"mean flow {float(flow.flow.mean()):.2f} persons/s")

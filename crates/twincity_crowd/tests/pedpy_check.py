"""PedPy's measurements on a TwinCity trajectory file, for the crate's cross-check test.

    python pedpy_check.py TRAJ WKT X0 Y0 X1 Y1 XMIN YMIN XMAX YMAX FIRST LAST

Reads the trajectories with `pedpy.load_trajectory` and the walkable area from WKT, and prints
one JSON object: the crossings of the measurement line (X0, Y0)-(X1, Y1) (`compute_n_t`), the
flow between the crossings at 20 % and 80 % of them, `compute_flow`'s mean flow, and the mean
classic and Voronoi densities in the rectangle XMIN..XMAX x YMIN..YMAX over frames FIRST to
LAST.
"""
import json
import pathlib
import sys

import pedpy
from shapely import from_wkt

traj_file, wkt_file = sys.argv[1], sys.argv[2]
x0, y0, x1, y1, xmin, ymin, xmax, ymax = map(float, sys.argv[3:11])
first, last = int(sys.argv[11]), int(sys.argv[12])

traj = pedpy.load_trajectory(trajectory_file=pathlib.Path(traj_file))
walkable = pedpy.WalkableArea(from_wkt(pathlib.Path(wkt_file).read_text()))
line = pedpy.MeasurementLine([(x0, y0), (x1, y1)])
area = pedpy.MeasurementArea([(xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax)])

nt, crossing = pedpy.compute_n_t(traj_data=traj, measurement_line=line)
frames = sorted(crossing.frame.tolist())
n = len(frames)
a, b = int(n * 0.2), int(n * 0.8)
flow_20_80 = (b - a) / ((frames[b] - frames[a]) / traj.frame_rate)
speed = pedpy.compute_individual_speed(traj_data=traj, frame_step=5)
flow = pedpy.compute_flow(nt=nt, crossing_frames=crossing, individual_speed=speed,
                          delta_frame=100, frame_rate=traj.frame_rate)

window = traj.data[(traj.data.frame >= first) & (traj.data.frame <= last)]
part = pedpy.TrajectoryData(data=window, frame_rate=traj.frame_rate)
classic = pedpy.compute_classic_density(traj_data=part, measurement_area=area)
polygons = pedpy.compute_individual_voronoi_polygons(traj_data=part, walkable_area=walkable)
voronoi, _ = pedpy.compute_voronoi_density(individual_voronoi_data=polygons,
                                           measurement_area=area)

print(json.dumps({
    "pedpy": pedpy.__version__,
    "crossings": n,
    "flow_20_80": flow_20_80,
    "mean_flow": float(flow.flow.mean()),
    "classic_density": float(classic.density.mean()),
    "voronoi_density": float(voronoi.density.mean()),
}))

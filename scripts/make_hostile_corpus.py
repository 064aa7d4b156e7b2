#!/usr/bin/env python3
"""Writes tests/hostile/: files a careless or malicious user could hand TwinCity, each with the
command that reads it and a piece of the error it must get (EXPECTED.tsv). tests/hostile.rs runs
them all: no panic, no hang, the error named.

Run from the repository's root: python3 scripts/make_hostile_corpus.py [OUT_DIR]
(tests/hostile by default; the test writes it again elsewhere and compares).
"""
import json
import os
import struct
import sys
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "hostile")


def glb(doc, bin_chunk):
    """A GLB container: JSON chunk (space-padded) and BIN chunk (zero-padded)."""
    text = json.dumps(doc, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    bin_chunk += b"\0" * (-len(bin_chunk) % 4)
    body = struct.pack("<I4s", len(text), b"JSON") + text
    body += struct.pack("<I4s", len(bin_chunk), b"BIN\0") + bin_chunk
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def triangle():
    """One triangle: a plain, valid document and its binary buffer."""
    positions = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    indices = struct.pack("<3I", 0, 1, 2)
    doc = {
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
             "min": [0, 0, 0], "max": [1, 1, 0]},
            {"bufferView": 1, "componentType": 5125, "count": 3, "type": "SCALAR"},
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": 36},
            {"buffer": 0, "byteOffset": 36, "byteLength": 12},
        ],
        "buffers": [{"byteLength": 48}],
    }
    return doc, positions + indices


def crowd(walkable_outer, duration="60.0"):
    points = ", ".join(f"({x}, {y})" for x, y in walkable_outer)
    return f"""// Hostile crowd file made by scripts/make_hostile_corpus.py.
(
    version: 1,
    name: "hostile",
    walkable: Polygon(outer: [{points}]),
    spawns: [(name: "S", area: (min: (1.0, 1.0), max: (2.0, 2.0)), count: 1, exit: "E")],
    exits: [(name: "E", area: (min: (8.0, 8.0), max: (9.0, 9.0)))],
    duration_s: {duration},
    seed: 1,
)
"""


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = []

    def put(name, data, command, error):
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(os.path.join(OUT, name), mode) as f:
            f.write(data)
        expected.append((name, command, error))

    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]

    # glTF: counts, offsets and strides near the integer limits.
    for name, edit, error in [
        ("accessor_count_2e62.glb", lambda d: d["accessors"][0].update(count=1 << 62),
         "run past"),
        ("accessor_offset_max.glb",
         lambda d: d["accessors"][0].update(byteOffset=(1 << 64) - 1), "run past"),
        ("index_count_max.glb", lambda d: d["accessors"][1].update(count=(1 << 62) - 1),
         "run past"),
        ("view_offset_near_max.glb",
         lambda d: d["bufferViews"][0].update(byteOffset=(1 << 64) - 4), "run past"),
        ("view_stride_huge.glb", lambda d: d["bufferViews"][0].update(byteStride=252),
         "run past"),
    ]:
        doc, data = triangle()
        edit(doc)
        put(name, glb(doc, data), "inspect", error)
    # Decode budget: a sparse accessor of 2^30 elements (12 GiB, all zeros but the one sparse
    # value) in a file of a few hundred bytes.
    doc, data = triangle()
    doc["accessors"].append({
        "componentType": 5126, "count": 1 << 30, "type": "VEC3",
        "sparse": {"count": 1, "indices": {"bufferView": 1, "componentType": 5125},
                   "values": {"bufferView": 0}},
    })
    put("sparse_accessor_2e30.glb", glb(doc, data), "inspect", "the count is corrupt")
    # Decode budget: a PNG whose header claims 60 000 × 60 000 pixels (14 GB decoded).
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))
    doc, data = triangle()
    doc["bufferViews"].append({"buffer": 0, "byteOffset": len(data), "byteLength": len(png)})
    doc["buffers"][0]["byteLength"] = len(data) + len(png)
    doc["images"] = [{"bufferView": 2, "mimeType": "image/png"}]
    put("image_header_60000px.glb", glb(doc, data + png), "inspect", "a 60000×60000 image")
    # A node tree 100 levels deep (loaders walk it recursively).
    doc, data = triangle()
    doc["nodes"] = [{"children": [k + 1]} for k in range(99)] + [{"mesh": 0}]
    put("nodes_100_deep.glb", glb(doc, data), "inspect", "levels below its root")
    # A buffer read from outside the file's folder.
    doc, _ = triangle()
    doc["buffers"][0]["uri"] = "../../../../etc/passwd"
    put("buffer_outside_folder.gltf", json.dumps(doc), "inspect", "folder")
    doc, _ = triangle()
    doc["buffers"][0]["uri"] = "/dev/zero"
    put("buffer_device.gltf", json.dumps(doc), "inspect", "folder")

    # Crowd files: coordinates and durations beyond what can run.
    put("crowd_coordinate_1e300.ron", crowd(square[:2] + [(1e300, 10.0), (0.0, 10.0)]),
        "validate", "local frame")
    put("crowd_coordinate_nan.ron", crowd(square[:2] + [(10.0, 1e400), (0.0, 10.0)]),
        "validate", "not a coordinate")
    put("crowd_duration_1e15.ron", crowd(square, duration="1e15"), "validate", "86400")
    # A scenario whose crowd file is a device that never ends.
    put("crowd_is_dev_zero.scenario.ron",
        '(version: 1, name: "hostile", crowd: "/dev/zero", seed: 1, duration_s: 10.0)\n',
        "validate", "not a regular file")
    put("crowd_is_a_folder.scenario.ron",
        '(version: 1, name: "hostile", crowd: ".", seed: 1, duration_s: 10.0)\n',
        "validate", "not a regular file")

    # Projects, scenario numbers, crowd counts and model cards: values that parse but that
    # nothing can run.
    camera = ('(id: (1), name: "C", position: {position}, pan_deg: 0.0, tilt_deg: 20.0, '
              'roll_deg: 0.0, lens: (sensor_width_mm: 5.6, sensor_height_mm: 3.15, '
              'focal_length_mm: 2.8), resolution: (1920, 1080), fps: 25.0)')
    put("project_origin_1e300.twin.ron",
        '(version: 1, name: "hostile", origin: Some((x: 1e300, y: 0.0, z: 0.0)))\n',
        "validate", "must be finite coordinates within 100000000 m")
    put("project_camera_in_space.twin.ron",
        '(version: 1, name: "hostile", cameras: [%s])\n'
        % camera.format(position="(0.0, 1e12, 0.0)"),
        "validate", "must be metres within 1000000 m")
    put("project_view_distance_1e30.twin.ron",
        '(version: 1, name: "hostile", view: (focus: (0.0, 0.0, 0.0), yaw_deg: 0.0, '
        'pitch_deg: 30.0, distance: 1e30))\n',
        "validate", "distance of more than 0 and at most")
    vehicle = '(kind: Car, make: "M", model: "X", plate: "P")'
    put("scenario_route_in_space.scenario.ron",
        '(version: 1, name: "hostile", duration_s: 60.0, events: [(id: "v", start: At(1.0), '
        'incident: Vehicle(vehicle: %s, route: [(0.0, 0.0), (1e300, 0.0)], '
        'speed_kmh: 30.0))])\n' % vehicle,
        "validate", "corner 1 is not a point")
    put("scenario_start_1e15.scenario.ron",
        '(version: 1, name: "hostile", duration_s: 60.0, events: [(id: "v", start: At(1e15), '
        'incident: Vehicle(vehicle: %s, route: [(0.0, 0.0), (50.0, 0.0)], '
        'speed_kmh: 30.0))])\n' % vehicle,
        "validate", "at most 86400 s")
    put("scenario_speed_gate_1e300.scenario.ron",
        '(version: 1, name: "hostile", duration_s: 60.0, speed_cameras: [(name: "S", '
        'at: (0.0, 0.0), limit_kmh: 50.0, gate_m: 1e300)])\n',
        "validate", "speed_cameras[0]")
    spawns = ", ".join(
        f'(name: "S{k}", area: (min: (1.0, 1.0), max: (2.0, 2.0)), count: 1000000, exit: "E")'
        for k in range(5))
    put("crowd_counts_past_u32.ron",
        crowd(square).replace(
            'spawns: [(name: "S", area: (min: (1.0, 1.0), max: (2.0, 2.0)), count: 1, '
            'exit: "E")]', f"spawns: [{spawns}]"),
        "validate", "add up to 5000000 agents")
    card = """(
    name: "hostile",
    task: Detection,
    model: "model.onnx",
    input: (layout: Nchw, size: Fixed(640, 640), element: F32, colour: Rgb, resize: Stretch,
        scale: 1.0, mean: (0.0, 0.0, 0.0), std: (1.0, 1.0, 1.0)),
    decoder: Yolox(output: "output", strides: [8, 16, 32]),
    classes: ["person"],
    score_threshold: {threshold},
    licence: (name: "CC0-1.0", source: "nowhere"),
)
"""
    put("card_threshold_nan.ron", card.format(threshold="NaN"), "validate --card",
        "must be in (0, 1]")
    put("card_model_missing.ron", card.format(threshold="0.5"), "validate --card",
        "does not exist; put the .onnx file beside the card")

    with open(os.path.join(OUT, "EXPECTED.tsv"), "w") as f:
        f.write("# file\tcommand\tpart of the error it must get\n")
        for row in expected:
            f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()

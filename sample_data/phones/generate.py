#!/usr/bin/env python3
"""Regenerates sample_data/phones deterministically: 80 PNG photos of phone screens (drawn
with numpy, written with zlib) with scratch, dent, pit or no defect, and a metadata.csv with a
simulated inspection model whose errors grow in dim light and on small pits, its probability
for every class (prob_<class>), and three annotators (annotator_*) who mix up scratch and
dent under glare.

Needs: python3 with numpy.  Run: python3 sample_data/phones/generate.py
"""
import csv
import os
import random
import struct
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 240, 400
rng = random.Random(80)
CLASSES = ["none", "scratch", "dent", "pit"]


def write_png(path, rgb):
    """A minimal, deterministic PNG writer (8-bit RGB, filter 0)."""
    raw = b"".join(b"\x00" + rgb[y].astype(np.uint8).tobytes() for y in range(rgb.shape[0]))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", rgb.shape[1], rgb.shape[0], 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def phone(lighting, seed):
    r = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    img = np.zeros((H, W, 3))
    img[:] = (205, 200, 190)  # the inspection table
    # Body: a rounded rectangle.
    x0, y0, x1, y1, rad = 30, 20, 210, 380, 26
    cx = np.clip(xx, x0 + rad, x1 - rad)
    cy = np.clip(yy, y0 + rad, y1 - rad)
    body = (xx - cx) ** 2 + (yy - cy) ** 2 <= rad**2
    img[body] = (38, 40, 46)
    # Screen: a dark glass gradient with a soft reflection.
    screen = (xx >= 40) & (xx <= 200) & (yy >= 48) & (yy <= 352)
    glass = 22 + 30 * (yy / H) + 18 * np.exp(-(((xx - yy * 0.4 - 40) / 40) ** 2))
    img[screen] = np.stack([glass, glass + 6, glass + 14], axis=-1)[screen]
    img[(xx - 120) ** 2 + (yy - 34) ** 2 <= 16] = (10, 10, 12)  # camera
    light = {"bright": 1.15, "normal": 1.0, "dim": 0.55}[lighting]
    if lighting == "bright":
        glare = 90 * np.exp(-(((xx - 150) / 45) ** 2 + ((yy - 110) / 70) ** 2))
        img += glare[..., None]
    # Sensor noise, coarse (2x2 cells) and quantised so that the PNGs stay small.
    grain = np.kron(r.normal(0, 2.5 if lighting == "dim" else 1.2, (H // 2, W // 2, 3)), np.ones((2, 2, 1)))
    img = img * light + np.round(grain / 2) * 2
    return img, screen, xx, yy


def add_defect(img, kind, xx, yy, severity):
    r = rng
    if kind == "scratch":
        x, y = r.uniform(60, 180), r.uniform(80, 320)
        angle = r.uniform(0, np.pi)
        length = 40 + 90 * severity
        dx, dy = np.cos(angle), np.sin(angle)
        t = (xx - x) * dx + (yy - y) * dy
        d = np.abs((xx - x) * -dy + (yy - y) * dx)
        line = (np.abs(t) < length / 2) & (d < 0.6 + severity)
        img[line] = np.clip(img[line] + 110 * (0.5 + severity), 0, 255)
    elif kind == "dent":
        x, y = r.uniform(70, 170), r.uniform(90, 310)
        radius = 8 + 14 * severity
        d2 = ((xx - x) ** 2 + (yy - y) ** 2) / radius**2
        shade = np.where(d2 < 1, -55 * (1 - d2) + 40 * np.clip((xx - x) / radius, -1, 1) * (1 - d2), 0)
        img += shade[..., None]
    elif kind == "pit":
        for _ in range(1 + int(3 * severity)):
            x, y = r.uniform(50, 190), r.uniform(60, 340)
            radius = 1.2 + 2.0 * severity
            pit = (xx - x) ** 2 + (yy - y) ** 2 <= radius**2
            img[pit] = (6, 6, 8)
            ring = ((xx - x) ** 2 + (yy - y) ** 2 <= (radius + 1.2) ** 2) & ~pit
            img[ring] = np.clip(img[ring] + 60, 0, 255)
    return img


def main():
    os.makedirs(os.path.join(HERE, "images"), exist_ok=True)
    rows = []
    for i in range(1, 81):
        uid = f"phone_{i:03d}"
        label = rng.choices(CLASSES, weights=[3, 3, 2, 2])[0]
        lighting = rng.choices(["normal", "bright", "dim"], weights=[5, 2, 3])[0]
        camera = rng.choice(["cam_A", "cam_B"])
        severity = rng.random()
        img, screen, xx, yy = phone(lighting, i)
        if label != "none":
            img = add_defect(img, label, xx, yy, severity)
        write_png(os.path.join(HERE, "images", f"{uid}.png"), np.clip(img, 0, 255).round())

        # A simulated classifier: harder in dim light, on faint defects and on pits.
        p_wrong = 0.06 + (0.22 if lighting == "dim" else 0) + (0.08 if lighting == "bright" else 0)
        p_wrong += 0.18 * (1 - severity) * (label != "none") + (0.12 if label == "pit" else 0)
        p_wrong += 0.05 if camera == "cam_B" else 0
        if rng.random() < p_wrong:
            confusable = {"none": ["pit", "scratch"], "scratch": ["none", "dent"], "dent": ["none", "scratch"], "pit": ["none", "dent"]}
            prediction = rng.choice(confusable[label])
        else:
            prediction = label
        wrong = prediction != label
        confidence = min(0.99, max(0.3, rng.gauss(0.9 - 0.3 * wrong - 0.1 * (lighting == "dim"), 0.06)))
        human = label if rng.random() > p_wrong / 4 else rng.choice([c for c in CLASSES if c != label])
        tags = []
        if rng.random() < 0.6:
            if lighting == "dim":
                tags.append("dim light")
            if lighting == "bright":
                tags.append("glare")
            if label != "none" and severity < 0.3:
                tags.append("faint defect")
            if not tags:
                tags.append("clear shot")
        rows.append({
            "id": uid,
            "file_name": f"images/{uid}.png",
            "label": label,
            "prediction": prediction,
            "confidence": f"{confidence:.3f}",
            "human_label": human,
            "lighting": lighting,
            "camera": camera,
            "tags": ";".join(tags),
        })
    add_annotators_and_probabilities(rows)
    with open(os.path.join(HERE, "metadata.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def add_annotators_and_probabilities(rows):
    """Three annotators and the model's class probabilities, from their own random stream so
    that the other columns and the images stay as they were."""
    r = random.Random(17)
    annotators = {"annotator_ana": 0.97, "annotator_ben": 0.94, "annotator_chloe": 0.9}
    mixed_up = {"scratch": "dent", "dent": "scratch"}
    # Four glare photos whose recorded label is the other defect: label errors that the model,
    # the annotators and the human label all contradict.
    mislabelled = [
        row["id"] for row in rows
        if row["lighting"] == "bright" and row["label"] in mixed_up and row["prediction"] == row["label"]
    ][:4]
    for row in rows:
        label, glare = row["label"], row["lighting"] == "bright"
        for name, accuracy in annotators.items():
            if r.random() < 0.05:
                row[name] = ""  # this annotator skipped the image
            elif glare and label in mixed_up and r.random() < 0.45:
                row[name] = mixed_up[label]
            elif r.random() < accuracy:
                row[name] = label
            else:
                row[name] = r.choice([c for c in CLASSES if c != label])
        # The predicted class gets the confidence; the rest is shared, more of it going to
        # the true class when the model is wrong. Whole ten-thousandths, so rows sum to 1.
        top = round(float(row["confidence"]) * 10000)
        others = [c for c in CLASSES if c != row["prediction"]]
        weights = [r.uniform(0.2, 1.0) + (2.0 if c == label else 0.0) for c in others]
        shares = [int((10000 - top) * w / sum(weights)) for w in weights]
        shares[0] += 10000 - top - sum(shares)
        probabilities = dict(zip(others, shares), **{row["prediction"]: top})
        for c in CLASSES:
            row[f"prob_{c}"] = f"{probabilities[c] / 10000:.4f}"
        if row["id"] in mislabelled:
            row["label"] = mixed_up[label]


if __name__ == "__main__":
    main()

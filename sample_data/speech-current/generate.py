#!/usr/bin/env python3
"""Regenerates sample_data/speech-current deterministically: two weeks of production
traffic for the speech-commands model of sample_data/speech (its reference), 60 clips with
a timestamp each. From the second week a new device appears ("smartwatch": louder, clipping),
with a new accent (welsh) and shorter commands; labels came back for about a third of the
rows. Open it against the reference with

    errata drift sample_data/speech sample_data/speech-current --media-metrics --window 1d

Needs: espeak-ng, sox, python3 with numpy (as sample_data/speech/generate.py, whose
synthesis it reuses).  Run: python3 sample_data/speech-current/generate.py
"""
import csv
import datetime
import importlib.util
import os
import random
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "speech", os.path.join(HERE, "..", "speech", "generate.py"))
speech = importlib.util.module_from_spec(spec)
spec.loader.exec_module(speech)

RATE = speech.RATE
rng = random.Random(20261124)
speech.rng = rng
START = datetime.datetime(2026, 11, 2, tzinfo=datetime.timezone.utc)
SHORT = [c for c in speech.COMMANDS if len(c.split()) <= 3]
ACCENTS = dict(speech.ACCENTS, welsh="en-gb-x-gbcwmd")


def main():
    clips = os.path.join(HERE, "clips")
    os.makedirs(clips, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for i in range(1, 61):
            uid = f"prod_{i:03d}"
            day = (i - 1) * 14 // 60  # spread over 14 days, in order
            when = START + datetime.timedelta(days=day, seconds=rng.randint(8 * 3600, 20 * 3600))
            new_week = day >= 7
            watch = new_week and rng.random() < 0.6
            if watch:
                device = "smartwatch"
                accent = rng.choices(list(ACCENTS), weights=[2, 1, 1, 1, 4])[0]
                text = rng.choice(SHORT)
            else:
                device = rng.choices(["headset", "phone", "car_kit"], weights=[5, 2, 3])[0]
                accent = rng.choices(list(speech.ACCENTS), weights=[4, 3, 2, 1])[0]
                text = rng.choice(speech.COMMANDS)
            gender = rng.choice(list(speech.GENDERS))
            noise = "car" if device == "car_kit" and rng.random() < 0.8 else rng.choices(["clean", "babble", "car"], weights=[6, 3, 1])[0]
            raw = os.path.join(work, f"{uid}.wav")
            speech.synthesise(text, ACCENTS[accent] + speech.GENDERS[gender], rng.randint(140, 185), rng.randint(35, 65), raw)
            samples = np.concatenate([np.zeros(RATE // 5), speech.read_16k(raw), np.zeros(RATE // 5)])
            if noise == "car":
                samples = speech.mix_at_snr(samples, speech.car_noise(len(samples), 100 + i), rng.choice([5, 8, 12]))
            elif noise == "babble":
                samples = speech.mix_at_snr(samples, speech.babble(len(samples), 100 + i, work), rng.choice([6, 10]))
            if device == "phone":
                samples = speech.band_limit(samples, 300, 3400)
            path = os.path.join(clips, f"{uid}.wav")
            if watch:
                # Automatic gain pushed too far: louder, and the peaks clip at full scale.
                samples = samples / (np.abs(samples).max() + 1e-9) * 2.5
                samples = np.clip(samples, -1.0, 1.0)
                with speech.wave.open(path, "wb") as w:
                    w.setnchannels(1)
                    w.setsampwidth(2)
                    w.setframerate(RATE)
                    w.writeframes((samples * 32767).round().astype("<i2").tobytes())
            else:
                speech.write_wav(path, samples)

            p = {"clean": 0.03, "car": 0.13, "babble": 0.2}[noise]
            p += {"american": 0.0, "british": 0.02, "scottish": 0.08, "caribbean": 0.06, "welsh": 0.1}[accent]
            p += 0.07 if device == "phone" else 0.0
            p += 0.15 if watch else 0.0
            words = text.split()
            hypothesis = speech.corrupt(words, p)
            wrong = hypothesis != words
            confidence = min(0.99, max(0.2, rng.gauss(0.93 - 0.25 * wrong - p, 0.05)))
            labelled = rng.random() < 0.35
            rows.append({
                "id": uid,
                "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "file_name": f"clips/{uid}.wav",
                "label": text if labelled else "",
                "prediction": " ".join(hypothesis),
                "confidence": f"{confidence:.3f}",
                "speaker_gender": gender,
                "accent": accent,
                "device": device,
                "noise": noise,
                "duration_s": f"{len(samples) / RATE:.2f}",
            })
    with open(os.path.join(HERE, "metadata.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()

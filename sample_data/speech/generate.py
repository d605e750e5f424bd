#!/usr/bin/env python3
"""Regenerates sample_data/speech deterministically: 60 spoken commands (16 kHz mono WAV)
synthesised with espeak-ng, some mixed with car-like or babble noise, and a metadata.csv with
a simulated ASR hypothesis whose errors grow with noise, accent and a narrow-band device.

Needs: espeak-ng, sox, python3 with numpy.  Run: python3 sample_data/speech/generate.py
"""
import csv
import os
import random
import subprocess
import tempfile
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = 16000
rng = random.Random(20261122)

COMMANDS = [
    "turn on the kitchen lights", "turn off the bedroom lights", "set a timer for ten minutes",
    "what is the weather tomorrow", "play some jazz music", "call my sister", "navigate to the nearest gas station",
    "increase the volume", "stop the music", "read my new messages", "add milk to the shopping list",
    "set an alarm for seven", "how long is my commute", "open the garage door", "lock the front door",
    "what time is it", "skip this song", "send a message to john", "turn up the heat", "find a coffee shop nearby",
    "cancel my next meeting", "remind me to call the doctor", "pause the podcast", "dim the living room lights",
    "what is on my calendar today", "play the news", "call mom", "turn on the radio", "start the dishwasher",
    "show me the route home",
]
ACCENTS = {"american": "en-us", "british": "en-gb", "scottish": "en-gb-scotland", "caribbean": "en-029"}
GENDERS = {"female": "+f3", "male": "+m3"}
CONFUSIONS = {
    "lights": "light", "ten": "then", "timer": "time", "music": "museum", "sister": "system", "seven": "eleven",
    "door": "store", "heat": "hit", "john": "jon", "mom": "mum", "news": "noise", "song": "son", "call": "cold",
    "milk": "mail", "radio": "ready", "route": "root", "nearest": "near", "jazz": "chess", "dim": "them",
}
FILLERS = ["the", "a", "uh", "and"]


def synthesise(text, voice, speed, pitch, path):
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", path, text], check=True)


def read_16k(path):
    """Resamples to 16 kHz mono with sox and returns float samples in [-1, 1]."""
    out = path + ".16k.wav"
    subprocess.run(["sox", "-V1", "-R", path, "-r", str(RATE), "-c", "1", "-b", "16", out], check=True)
    with wave.open(out) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    os.remove(out)
    return data


def band_limit(samples, low, high):
    """A telephone-like band: keeps only low..high Hz (FFT mask, deterministic)."""
    spectrum = np.fft.rfft(samples)
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    return np.fft.irfft(spectrum, len(samples))


def car_noise(n, seed):
    r = np.random.default_rng(seed)
    brown = np.cumsum(r.normal(0, 1, n))
    brown -= np.convolve(brown, np.ones(801) / 801, mode="same")  # remove drift, keep the rumble
    t = np.arange(n) / RATE
    engine = 0.6 * np.sin(2 * np.pi * 42 * t) + 0.3 * np.sin(2 * np.pi * 84 * t + 1.0)
    noise = brown / (np.abs(brown).max() + 1e-9) + engine
    return noise / np.abs(noise).max()


def babble(n, seed, workdir):
    r = random.Random(seed)
    mix = np.zeros(n)
    for k in range(4):
        text = " ".join(r.choice(COMMANDS) for _ in range(3))
        voice = r.choice(list(ACCENTS.values())) + r.choice(list(GENDERS.values()))
        path = os.path.join(workdir, f"babble{k}.wav")
        synthesise(text, voice, r.randint(150, 190), r.randint(30, 70), path)
        s = read_16k(path)
        start = r.randint(0, max(0, len(s) - n))
        s = np.resize(s[start:], n)
        mix += s
    return mix / (np.abs(mix).max() + 1e-9)


def mix_at_snr(speech, noise, snr_db):
    p_speech = np.mean(speech**2)
    p_noise = np.mean(noise**2) + 1e-12
    return speech + noise * np.sqrt(p_speech / (p_noise * 10 ** (snr_db / 10)))


def write_wav(path, samples):
    peak = np.abs(samples).max()
    if peak > 0.95:
        samples = samples * (0.95 / peak)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((samples * 32767).round().astype("<i2").tobytes())


def corrupt(words, p_error):
    """A plausible ASR hypothesis: confusable substitutions, dropped words, stray insertions."""
    out = []
    for w in words:
        u = rng.random()
        if u < p_error * 0.55:
            out.append(CONFUSIONS.get(w, rng.choice(["the", "to", "on", "in", "for"])))
        elif u < p_error * 0.85:
            continue
        else:
            out.append(w)
            if u > 1 - p_error * 0.15:
                out.append(rng.choice(FILLERS))
    return out or [rng.choice(FILLERS)]


def main():
    clips = os.path.join(HERE, "clips")
    os.makedirs(clips, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for i in range(1, 61):
            uid = f"utt_{i:03d}"
            text = rng.choice(COMMANDS)
            accent = rng.choices(list(ACCENTS), weights=[4, 3, 2, 1])[0]
            gender = rng.choice(list(GENDERS))
            device = rng.choices(["headset", "phone", "car_kit"], weights=[5, 2, 3])[0]
            noise = "car" if device == "car_kit" and rng.random() < 0.8 else rng.choices(["clean", "babble", "car"], weights=[6, 3, 1])[0]
            raw = os.path.join(work, f"{uid}.wav")
            synthesise(text, ACCENTS[accent] + GENDERS[gender], rng.randint(140, 185), rng.randint(35, 65), raw)
            speech = np.concatenate([np.zeros(RATE // 5), read_16k(raw), np.zeros(RATE // 5)])
            if noise == "car":
                speech = mix_at_snr(speech, car_noise(len(speech), i), rng.choice([5, 8, 12]))
            elif noise == "babble":
                speech = mix_at_snr(speech, babble(len(speech), i, work), rng.choice([6, 10]))
            if device == "phone":
                speech = band_limit(speech, 300, 3400)
            write_wav(os.path.join(clips, f"{uid}.wav"), speech)

            p = {"clean": 0.03, "car": 0.13, "babble": 0.2}[noise]
            p += {"american": 0.0, "british": 0.02, "scottish": 0.08, "caribbean": 0.06}[accent]
            p += 0.07 if device == "phone" else 0.0
            words = text.split()
            hypothesis = corrupt(words, p)
            human = corrupt(words, p / 8)
            wrong = hypothesis != words
            confidence = min(0.99, max(0.2, rng.gauss(0.93 - 0.25 * wrong - p, 0.05)))
            tags = []
            if rng.random() < 0.7:  # a random sample was reviewed and tagged by condition
                tags.append({"clean": "clean speech", "car": "car noise", "babble": "people noise"}[noise])
                if device == "phone":
                    tags.append("low bandwidth")
            rows.append({
                "id": uid,
                "file_name": f"clips/{uid}.wav",
                "label": text,
                "prediction": " ".join(hypothesis),
                "confidence": f"{confidence:.3f}",
                "human_label": " ".join(human),
                "speaker_gender": gender,
                "accent": accent,
                "device": device,
                "noise": noise,
                "duration_s": f"{len(speech) / RATE:.2f}",
                "tags": ";".join(tags),
            })
    with open(os.path.join(HERE, "metadata.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()

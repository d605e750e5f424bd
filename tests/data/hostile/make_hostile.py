"""Writes the hostile media corpus: broken and adversarial files that errata must refuse
with a message naming the file, within bounded time and memory. Deterministic; run from this
folder with the repository's sample data present. Larger cases (a 2-hour WAV, a folder where
a file is expected, a symlink leading out of the dataset) are made by the tests at run time.
"""
import struct
import zlib
from pathlib import Path

here = Path(__file__).parent
samples = here / "../../../sample_data"


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


png = (samples / "phones/images/phone_001.png").read_bytes()
(here / "truncated.png").write_bytes(png[: len(png) // 3])
(here / "corrupt.png").write_bytes(png[:8] + bytes((i * 37) % 256 for i in range(4000)))
# A valid PNG whose header declares 60000 x 60000 RGBA pixels (14.4 GB decoded).
ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 6, 0, 0, 0)
idat = zlib.compress(b"\x00" * 1024)
(here / "huge_dimensions.png").write_bytes(
    b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
)

jpeg = (here / "source.jpg").read_bytes()  # a small JPEG made with ImageMagick, kept for this
(here / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
(here / "corrupt.jpg").write_bytes(jpeg[:2] + bytes((i * 91) % 256 for i in range(3000)))

wav = (samples / "speech/clips/utt_001.wav").read_bytes()
(here / "truncated.wav").write_bytes(wav[:200])
(here / "zero_length.wav").write_bytes(b"")
# A well-formed header with no samples at all.
fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
(here / "header_only.wav").write_bytes(
    b"RIFF" + struct.pack("<I", 36) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
    + b"data" + struct.pack("<I", 0)
)
(here / "corrupt.wav").write_bytes(b"RIFF" + bytes((i * 13) % 256 for i in range(3000)))

flac = (here / "source.flac").read_bytes()  # the first speech clip, encoded with sox
(here / "truncated.flac").write_bytes(flac[: len(flac) // 4])
(here / "corrupt.flac").write_bytes(b"fLaC" + bytes((i * 7) % 256 for i in range(3000)))

# MPEG audio frame headers followed by noise, and an ID3 tag that claims more than is there.
(here / "corrupt.mp3").write_bytes((b"\xff\xfb\x90\x64" + bytes(range(200))) * 20)
(here / "truncated.mp3").write_bytes(b"ID3\x04\x00\x00\x00\x00\x7f\x7f" + b"\x00" * 50)

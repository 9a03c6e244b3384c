"""Building an index generation in bounded memory: runs written as they fill, then merged.

Analysed articles are gathered into a *run*: a small index in the generation's own layout (terms.txt,
term_offsets, doc_numbers, term_freqs, doc_lengths per channel; doc_ids.txt, doc_hashes.txt), written to a
staging folder once it holds `RunBuilder.max_postings` postings. A new generation is then one merge of its
sources in order: the live generation (less the articles deleted or replaced since) followed by the runs of
the articles analysed now. The merge walks the union of the sources' terms block by block, reading only that
block's slice of each source with positional reads and appending it to the output files, so memory holds one
block and the term lists, never the whole index, and the live generation's articles are never analysed again.

Document numbers follow the order of the sources, so within every term the merged postings stay ascending.
"""

from __future__ import annotations

import hashlib
import io
import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from .. import native
from .positions import codes_of_lines, doc_starts, lines_of_codes, position_dtype, terms_and_positions
from .sorting import stable_order

CHANNELS_DIR = "channels"
POSITIONS_FILE = "positions.npy"
_POSTINGS_PER_BLOCK = 4_000_000
_INT32 = np.dtype("<i4")
_INT64 = np.dtype("<i8")
_runs = native.compiled("_runs")


def channel_folder(root: Path, channel: str) -> Path:
    """Where a channel's five files lie: the `words` channel at the top, the others under channels/."""
    return root if channel == "words" else root / CHANNELS_DIR / channel


class HashingFile:
    """A file written front to back whose sha256 is known when it is closed, without reading it again."""

    def __init__(self, path: Path):
        self.path = path
        self._file = open(path, "wb")
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        self._file.write(data)
        self._digest.update(data)
        self.size += len(data)

    def close(self, sync: bool = True) -> str:
        self._file.flush()
        if sync:
            os.fsync(self._file.fileno())
        self._file.close()
        return self._digest.hexdigest()


def npy_header(dtype: np.dtype, length: int) -> bytes:
    """The .npy (version 1.0) header of a one-dimensional array: written before the data streams in."""
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (length,)}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)  # the magic string and the padded header
    return buffer.getvalue()


def write_npy(path: Path, values: np.ndarray, sync: bool = True) -> tuple[int, str]:
    out = HashingFile(path)
    out.write(npy_header(values.dtype, values.size))
    out.write(np.ascontiguousarray(values).tobytes())
    return out.size, out.close(sync)


def write_lines(path: Path, lines: Iterable[str], sync: bool = True) -> tuple[int, str]:
    out = HashingFile(path)
    chunk: list[str] = []
    for line in lines:
        if "\n" in line or "\r" in line:
            out.close(sync)
            raise ValueError(f"index entry contains a line break: {line!r}")
        chunk.append(line)
        if len(chunk) >= 65536:
            out.write(("\n".join(chunk) + "\n").encode("utf-8"))
            chunk = []
    if chunk:
        out.write(("\n".join(chunk) + "\n").encode("utf-8"))
    return out.size, out.close(sync)


def read_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return text.split("\n")[:-1] if text else []


class NpyReader:
    """Slices of a one-dimensional .npy file by positional reads: nothing mapped, nothing kept."""

    def __init__(self, path: Path):
        self.path = path
        self._fd = os.open(path, os.O_RDONLY)
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read_header(f)
            self.data_offset = f.tell()
        self.dtype = np.dtype(dtype)
        self.length = int(shape[0]) if shape else 0

    def read(self, start: int, stop: int) -> np.ndarray:
        count = max(0, stop - start)
        if count == 0:
            return np.empty(0, dtype=self.dtype)
        size = self.dtype.itemsize
        data = os.pread(self._fd, count * size, self.data_offset + start * size)
        if len(data) != count * size:
            raise DamagedSource(f"{self.path} ends before its header says it does")
        return np.frombuffer(data, dtype=self.dtype)

    def all(self) -> np.ndarray:
        return self.read(0, self.length).copy()

    def close(self) -> None:
        os.close(self._fd)


class DamagedSource(ValueError):
    """A source's files contradict each other (a document number out of range, offsets out of order)."""


# --- runs: analysed articles in the generation's layout ------------------------------------------------------

@dataclass
class _ChannelBuffer:
    vocabulary: dict[str, int] = field(default_factory=dict)
    term_ids: array = field(default_factory=lambda: array("q"))
    freqs: array = field(default_factory=lambda: array("q"))
    sizes: array = field(default_factory=lambda: array("q"))  # distinct terms of each document
    lengths: array = field(default_factory=lambda: array("q"))


def number_terms_in_python(vocabulary: dict[str, int], term_counts: dict[str, int], term_ids: array,
                           freqs: array) -> int:
    """Each term of `term_counts` numbered in `vocabulary` (a new one gets the vocabulary's size), its number
    appended to `term_ids` and its count to `freqs`; how many terms. `service/native/_runs` does the same."""
    term_ids.extend([vocabulary.setdefault(term, len(vocabulary)) for term in term_counts])
    freqs.extend(term_counts.values())
    return len(term_counts)


_number_terms = _runs.number_terms if _runs is not None else number_terms_in_python


class RunBuilder:
    """Gathers analysed documents and writes them as numbered runs under `folder`.

    With `positional` (the `pairs` part, `index.positions`), `counts[positional]` is (length, squashed text)
    rather than term counts: its terms and their positions are worked out from the texts when the run is written.
    """

    def __init__(self, folder: Path, channels: Sequence[str], max_postings: int = 8_000_000, first_run: int = 0,
                 positional: str | None = None):
        self.folder = Path(folder)
        self.channels = tuple(channels)
        self.positional = positional
        self.max_postings = max_postings
        self.next_run = first_run
        self.written: list[Path] = []
        self._reset()

    def _reset(self) -> None:
        self._buffers = {name: _ChannelBuffer() for name in self.channels}
        self._squashed: list[str] = []
        self._doc_ids: list[str] = []
        self._doc_hashes: list[str] = []
        self._postings = 0

    def __len__(self) -> int:
        return len(self._doc_ids)

    def add(self, doc_id: str, content_hash: str, counts: Mapping[str, Sequence]) -> None:
        """One document: `counts[channel]` is (length, {term: occurrences})."""
        self._doc_ids.append(doc_id)
        self._doc_hashes.append(content_hash)
        for name in self.channels:
            length, term_counts = counts[name]
            buffer = self._buffers[name]
            _number_terms(buffer.vocabulary, term_counts, buffer.term_ids, buffer.freqs)
            buffer.sizes.append(len(term_counts))
            buffer.lengths.append(length)
            self._postings += len(term_counts)
        if self.positional is not None:
            text = counts[self.positional][1]
            self._squashed.append(text)
            self._postings += len(text)
        if self._postings >= self.max_postings:
            self.flush()

    def flush(self) -> Path | None:
        """Write what has been gathered as the next run; None when there is nothing."""
        if not self._doc_ids:
            return None
        run = self.folder / f"run-{self.next_run:06d}"
        self.next_run += 1
        run.mkdir(parents=True)
        write_lines(run / "doc_ids.txt", self._doc_ids, sync=False)
        write_lines(run / "doc_hashes.txt", self._doc_hashes, sync=False)
        for name, buffer in self._buffers.items():
            _write_run_channel(channel_folder(run, name), buffer)
        if self.positional is not None:
            _write_run_positions(channel_folder(run, self.positional), self._squashed)
        self.written.append(run)
        self._reset()
        return run


def _write_run_channel(folder: Path, buffer: _ChannelBuffer) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    terms = list(buffer.vocabulary)
    by_text = sorted(range(len(terms)), key=terms.__getitem__)
    rank = np.empty(len(terms), dtype=np.int64)
    rank[np.asarray(by_text, dtype=np.int64)] = np.arange(len(terms), dtype=np.int64)
    term_ids = rank[np.frombuffer(buffer.term_ids, dtype=np.int64)] if terms else np.empty(0, np.int64)
    sizes = np.frombuffer(buffer.sizes, dtype=np.int64)
    docs = np.repeat(np.arange(sizes.size, dtype=np.int32), sizes)
    order = stable_order(term_ids)  # documents stay ascending within each term
    offsets = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_ids, minlength=len(terms)), out=offsets[1:])
    write_lines(folder / "terms.txt", (terms[i] for i in by_text), sync=False)
    write_npy(folder / "term_offsets.npy", offsets, sync=False)
    write_npy(folder / "doc_numbers.npy", docs[order].astype(_INT32), sync=False)
    write_npy(folder / "term_freqs.npy", np.frombuffer(buffer.freqs, dtype=np.int64)[order].astype(_INT32),
              sync=False)
    write_npy(folder / "doc_lengths.npy", np.frombuffer(buffer.lengths, dtype=np.int64).astype(_INT32), sync=False)


def _write_run_positions(folder: Path, texts: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    codes, positions = terms_and_positions(texts)
    # The codes are sorted: each term starts where its code differs from the one before.
    starts_term = np.ones(codes.size, dtype=bool)
    np.not_equal(codes[1:], codes[:-1], out=starts_term[1:])
    first = np.flatnonzero(starts_term)
    del starts_term
    terms = codes[first]
    del codes
    offsets = np.append(first, positions.size).astype(_INT64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    out = HashingFile(folder / "terms.txt")
    out.write(lines_of_codes(terms))
    out.close(sync=False)
    write_npy(folder / "term_offsets.npy", offsets, sync=False)
    write_npy(folder / POSITIONS_FILE, positions.astype(position_dtype(int(doc_starts(lengths)[-1]))), sync=False)
    write_npy(folder / "doc_lengths.npy", lengths.astype(_INT32), sync=False)


# --- merging ------------------------------------------------------------------------------------------------

@dataclass
class Source:
    """A run or a generation to merge, with the documents of it to keep (None: all of them)."""

    root: Path
    keep: np.ndarray | None = None  # bool per document

    def doc_ids(self) -> list[str]:
        return read_lines(self.root / "doc_ids.txt")

    def doc_hashes(self) -> list[str] | None:
        path = self.root / "doc_hashes.txt"
        return read_lines(path) if path.exists() else None


@dataclass
class MergedChannel:
    terms: int
    postings: int
    total_length: int
    files: dict[str, tuple[int, str]]  # file name -> (bytes, sha256)


def merge_channel(sources: Sequence[Source], channel: str, out: Path, sync: bool = True,
                  block_postings: int = _POSTINGS_PER_BLOCK) -> MergedChannel:
    """Merge one channel of `sources` (in order) into `out`, renumbering the kept documents from 0."""
    out.mkdir(parents=True, exist_ok=True)
    parts = []
    base = 0
    lengths = []
    for source in sources:
        folder = channel_folder(source.root, channel)
        terms = read_lines(folder / "terms.txt")
        offsets_reader = NpyReader(folder / "term_offsets.npy")
        offsets = offsets_reader.all().astype(np.int64)
        offsets_reader.close()
        doc_lengths_reader = NpyReader(folder / "doc_lengths.npy")
        doc_lengths = doc_lengths_reader.all().astype(np.int32)
        doc_lengths_reader.close()
        if offsets.size != len(terms) + 1 or (offsets.size and (offsets[0] != 0 or np.any(np.diff(offsets) < 0))):
            raise DamagedSource(f"term offsets in {folder} do not fit its terms")
        if source.keep is not None and source.keep.size != doc_lengths.size:
            raise DamagedSource(f"{folder} holds {doc_lengths.size} documents, {source.keep.size} were listed")
        if source.keep is None:
            renumber = None
            kept = doc_lengths.size
        else:
            keep = source.keep.astype(bool)
            renumber = np.where(keep, np.cumsum(keep) - 1 + base, -1).astype(np.int64)
            doc_lengths = doc_lengths[keep]
            kept = int(keep.sum())
        lengths.append(doc_lengths)
        docs, freqs = NpyReader(folder / "doc_numbers.npy"), NpyReader(folder / "term_freqs.npy")
        if not docs.length == freqs.length == (int(offsets[-1]) if offsets.size else 0):
            raise DamagedSource(f"postings in {folder} do not fit its term offsets")
        parts.append({"terms": terms, "offsets": offsets, "base": base, "renumber": renumber,
                      "n_docs": doc_lengths_reader.length, "folder": folder, "docs": docs, "freqs": freqs})
        base += kept
    try:
        return _merge_parts(parts, np.concatenate(lengths) if lengths else np.empty(0, np.int32), out, sync,
                            block_postings)
    finally:
        for part in parts:
            part["docs"].close()
            part["freqs"].close()


def _merge_parts(parts: list[dict], doc_lengths: np.ndarray, out: Path, sync: bool,
                 block_postings: int) -> MergedChannel:
    union = sorted(set().union(*(part["terms"] for part in parts)))
    number_of = {term: i for i, term in enumerate(union)}
    for part in parts:
        part["union_ids"] = np.fromiter(map(number_of.__getitem__, part["terms"]), dtype=np.int64,
                                        count=len(part["terms"]))
        part["terms"] = None  # the strings are needed no more; the union list holds them
    del number_of
    total = _kept_postings(parts)

    docs_out = HashingFile(out / "doc_numbers.npy")
    freqs_out = HashingFile(out / "term_freqs.npy")
    docs_out.write(npy_header(_INT32, total))
    freqs_out.write(npy_header(_INT32, total))
    counts = np.zeros(len(union), dtype=np.int64)
    for start, stop in _blocks(parts, len(union), block_postings):
        block_ids, block_docs, block_freqs = [], [], []
        for part, term_of, lo, hi in _slices(parts, start, stop):
            docs = part["docs"].read(lo, hi).astype(np.int64)
            freqs = part["freqs"].read(lo, hi)
            if docs.size and (int(docs.min()) < 0 or int(docs.max()) >= part["n_docs"]):
                raise DamagedSource(f"document numbers in {part['folder']} are out of range")
            if part["renumber"] is None:
                docs = docs + part["base"]
            else:
                docs = part["renumber"][docs]
                kept = docs >= 0
                docs, freqs, term_of = docs[kept], freqs[kept], term_of[kept]
            block_ids.append(term_of)
            block_docs.append(docs)
            block_freqs.append(freqs)
        if block_ids:
            term_of = np.concatenate(block_ids)
            # Each part is sorted by term and parts come in document order: a stable sort merges them.
            order = stable_order(term_of)
            docs_out.write(np.concatenate(block_docs)[order].astype(_INT32).tobytes())
            freqs_out.write(np.concatenate(block_freqs)[order].astype(_INT32).tobytes())
            counts[start:stop] = np.bincount(term_of - start, minlength=stop - start)
    files = {"doc_numbers.npy": (docs_out.size, docs_out.close(sync)),
             "term_freqs.npy": (freqs_out.size, freqs_out.close(sync))}
    present = np.flatnonzero(counts)  # a term whose every document was dropped is no term any more
    offsets = np.zeros(present.size + 1, dtype=np.int64)
    np.cumsum(counts[present], out=offsets[1:])
    if int(offsets[-1]) != total:
        raise RuntimeError(f"merge wrote {int(offsets[-1])} postings, expected {total}")
    files["terms.txt"] = write_lines(out / "terms.txt", (union[i] for i in present.tolist()), sync)
    files["term_offsets.npy"] = write_npy(out / "term_offsets.npy", offsets, sync)
    files["doc_lengths.npy"] = write_npy(out / "doc_lengths.npy", doc_lengths.astype(_INT32), sync)
    return MergedChannel(terms=int(present.size), postings=total,
                         total_length=int(doc_lengths.sum(dtype=np.int64)), files=files)


def merge_positions(sources: Sequence[Source], channel: str, out: Path, sync: bool = True,
                    block_postings: int = _POSTINGS_PER_BLOCK) -> MergedChannel:
    """Merge the positional part `channel` (`index.positions`) of `sources` (in order) into `out`: each kept
    document's positions moved to where its text now begins, the dropped documents' left out.

    Every character of a document's text is one position, so what the output holds is known before the merge
    (the kept documents' lengths), and a source whose positions do not add up to its lengths is damaged.
    """
    out.mkdir(parents=True, exist_ok=True)
    parts: list[dict] = []
    lengths = []
    base = 0  # where the next source's first kept document begins in the merged positions
    try:
        for source in sources:
            folder = channel_folder(source.root, channel)
            positions = NpyReader(folder / POSITIONS_FILE)
            part = {"folder": folder, "positions": positions, "base": base}
            parts.append(part)
            try:
                codes = codes_of_lines((folder / "terms.txt").read_bytes())
            except ValueError as exc:  # UnicodeDecodeError included
                raise DamagedSource(f"terms in {folder} cannot be read ({exc})") from exc
            offsets = NpyReader(folder / "term_offsets.npy")
            part["offsets"] = offsets.all().astype(np.int64)
            offsets.close()
            doc_lengths_reader = NpyReader(folder / "doc_lengths.npy")
            doc_lengths = doc_lengths_reader.all().astype(np.int64)
            doc_lengths_reader.close()
            offsets = part["offsets"]
            if (offsets.size != codes.size + 1 or offsets[0] != 0 or np.any(np.diff(offsets) <= 0)
                    or np.any(np.diff(codes) <= 0)):
                raise DamagedSource(f"term offsets in {folder} do not fit its terms")
            if not positions.length == int(offsets[-1]) == int(doc_lengths.sum()) or np.any(doc_lengths < 0):
                raise DamagedSource(f"positions in {folder} do not fit its term offsets and document lengths")
            if source.keep is not None and source.keep.size != doc_lengths.size:
                raise DamagedSource(f"{folder} holds {doc_lengths.size} documents, {source.keep.size} were listed")
            keep = np.ones(doc_lengths.size, dtype=bool) if source.keep is None else source.keep.astype(bool)
            starts = doc_starts(doc_lengths)
            dropped = np.flatnonzero(~keep)
            part.update(codes=codes, span=int(starts[-1]), dropped_starts=starts[dropped],
                        dropped_ends=starts[dropped] + doc_lengths[dropped],
                        removed_before=np.concatenate(([0], np.cumsum(doc_lengths[dropped] + 1))))
            lengths.append(doc_lengths[keep])
            base += part["span"] - int(part["removed_before"][-1])
        kept_lengths = np.concatenate(lengths) if lengths else np.empty(0, dtype=np.int64)
        return _merge_position_parts(parts, kept_lengths, position_dtype(base), out, sync, block_postings)
    finally:
        for part in parts:
            part["positions"].close()


def _moved(part: dict, found: np.ndarray) -> np.ndarray:
    """A source's positions (int64) where the merged generation has them; -1 for those of dropped documents."""
    if part["dropped_starts"].size == 0:
        return found + part["base"]
    # Dropped documents starting at or before each position: its own (when it lies inside one) and the earlier.
    before = np.searchsorted(part["dropped_starts"], found, side="right")
    inside = (before > 0) & (found < part["dropped_ends"][np.maximum(before - 1, 0)])
    moved = found - part["removed_before"][before] + part["base"]
    moved[inside] = -1
    return moved


def _merge_position_parts(parts: list[dict], doc_lengths: np.ndarray, dtype: np.dtype, out: Path, sync: bool,
                          block_postings: int) -> MergedChannel:
    union = np.unique(np.concatenate([part["codes"] for part in parts])) if parts else np.empty(0, np.int64)
    for part in parts:
        part["union_ids"] = np.searchsorted(union, part["codes"])
        part["codes"] = None
    total = int(doc_lengths.sum())
    positions_out = HashingFile(out / POSITIONS_FILE)
    positions_out.write(npy_header(dtype, total))
    counts = np.zeros(union.size, dtype=np.int64)
    for start, stop in _blocks(parts, union.size, block_postings):
        block_ids, block_positions = [], []
        for part, term_of, lo, hi in _slices(parts, start, stop):
            found = part["positions"].read(lo, hi).astype(np.int64)
            if found.size and (int(found.min()) < 0 or int(found.max()) >= part["span"]):
                raise DamagedSource(f"positions in {part['folder']} are out of range")
            moved = _moved(part, found)
            kept = moved >= 0
            block_ids.append(term_of[kept])
            block_positions.append(moved[kept])
        term_of = np.concatenate(block_ids)
        # Sorted by term and, within a term, source by source: the positions stay ascending.
        order = stable_order(term_of)
        positions_out.write(np.concatenate(block_positions)[order].astype(dtype).tobytes())
        counts[start:stop] = np.bincount(term_of - start, minlength=stop - start)
    written = int(counts.sum())
    files = {POSITIONS_FILE: (positions_out.size, positions_out.close(sync))}
    if written != total:
        raise DamagedSource(f"the sources' positions ({written}) do not add up to their kept lengths ({total})")
    present = np.flatnonzero(counts)
    offsets = np.zeros(present.size + 1, dtype=np.int64)
    np.cumsum(counts[present], out=offsets[1:])
    terms_out = HashingFile(out / "terms.txt")
    terms_out.write(lines_of_codes(union[present]))
    files["terms.txt"] = (terms_out.size, terms_out.close(sync))
    files["term_offsets.npy"] = write_npy(out / "term_offsets.npy", offsets, sync)
    files["doc_lengths.npy"] = write_npy(out / "doc_lengths.npy", doc_lengths.astype(_INT32), sync)
    return MergedChannel(terms=int(present.size), postings=total, total_length=total, files=files)


def _blocks(parts: list[dict], terms: int, block_postings: int) -> Iterator[tuple[int, int]]:
    """The merge's blocks of union term numbers [start, stop): each ends where the postings of all the sources
    (before any are dropped) pass `block_postings`, and holds at least one term."""
    upper = np.zeros(terms + 1, dtype=np.int64)
    for part in parts:
        upper[part["union_ids"] + 1] += np.diff(part["offsets"])  # a part holds each term once
    np.cumsum(upper, out=upper)
    start = 0
    while start < terms:
        stop = int(np.searchsorted(upper, upper[start] + block_postings, side="right")) - 1
        stop = min(max(stop, start + 1), terms)
        yield start, stop
        start = stop


def _slices(parts: list[dict], start: int, stop: int) -> Iterator[tuple[dict, np.ndarray, int, int]]:
    """Each part holding terms of the block [start, stop): the part, the union term number of each of its
    postings there, and where those postings lie in its files [lo, hi)."""
    for part in parts:
        ids = part["union_ids"]
        a, b = np.searchsorted(ids, [start, stop])
        if a == b:
            continue
        lo, hi = int(part["offsets"][a]), int(part["offsets"][b])
        yield part, np.repeat(ids[a:b], np.diff(part["offsets"][a:b + 1])), lo, hi


def _kept_postings(parts: list[dict]) -> int:
    total = 0
    for part in parts:
        length = part["docs"].length
        if part["renumber"] is None:
            total += length
            continue
        for lo in range(0, length, _POSTINGS_PER_BLOCK):
            docs = part["docs"].read(lo, min(length, lo + _POSTINGS_PER_BLOCK))
            if docs.size and (int(docs.min()) < 0 or int(docs.max()) >= part["n_docs"]):
                raise DamagedSource(f"document numbers in {part['folder']} are out of range")
            total += int(np.count_nonzero(part["renumber"][docs] >= 0))
    return total


def merged_doc_lists(sources: Sequence[Source]) -> tuple[list[str], list[str] | None]:
    """The merged generation's article ids and content hashes (None when a source has no hashes)."""
    ids: list[str] = []
    hashes: list[str] | None = []
    for source in sources:
        source_ids = source.doc_ids()
        source_hashes = source.doc_hashes()
        keep = source.keep
        if keep is not None:
            source_ids = [i for i, k in zip(source_ids, keep.tolist()) if k]
            if source_hashes is not None:
                source_hashes = [h for h, k in zip(source_hashes, keep.tolist()) if k]
        ids.extend(source_ids)
        if hashes is not None and source_hashes is not None:
            hashes.extend(source_hashes)
        else:
            hashes = None
    return ids, hashes

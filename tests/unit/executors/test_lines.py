from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from conveyor.executors.local.lines import LineSplitter, PartialLine


def _split(chunks: list[bytes], max_line_bytes: int = 64) -> list[str]:
    splitter = LineSplitter(max_line_bytes)
    lines: list[str] = []
    for chunk in chunks:
        lines.extend(splitter.feed(chunk))
    lines.extend(splitter.flush())
    return lines


def test_lines_across_chunks_and_crlf() -> None:
    assert _split([b"one\r\ntw", b"o\nthree"]) == ["one", "two", "three"]


def test_empty_lines_are_kept() -> None:
    assert _split([b"a\n\n\nb\n"]) == ["a", "", "", "b"]


def test_invalid_utf8_is_replaced() -> None:
    assert _split([b"ok \xff\xfe\n"]) == ["ok \ufffd\ufffd"]


def test_multibyte_characters_split_between_chunks() -> None:
    text = "héllo wörld €\n".encode()
    assert _split([text[:2], text[2:12], text[12:]]) == ["héllo wörld €"]


def test_overlong_lines_come_in_pieces_without_losing_bytes() -> None:
    lines = _split([b"x" * 150 + b"\n" + b"y" * 10], max_line_bytes=64)
    assert lines == ["x" * 64, "x" * 64, "x" * 22, "y" * 10]


def test_pieces_that_a_later_piece_continues_are_marked() -> None:
    lines = _split([b"x" * 150 + b"\n" + b"short\n" + b"y" * 70, b"y\r\n"], max_line_bytes=64)
    assert lines == ["x" * 64, "x" * 64, "x" * 22, "short", "y" * 64, "y" * 7]
    assert [type(line) is PartialLine for line in lines] == [True, True, False, False, True, False]


def test_a_continued_piece_keeps_a_carriage_return_inside_the_line() -> None:
    lines = _split([b"a" * 63 + b"\r" + b"b" * 10, b"\n"], max_line_bytes=64)
    assert lines == ["a" * 63 + "\r", "b" * 10]
    assert type(lines[0]) is PartialLine


def test_a_line_without_newline_never_grows_past_the_cap() -> None:
    splitter = LineSplitter(64)
    pieces: list[str] = []
    for _ in range(100):
        pieces.extend(splitter.feed(b"z" * 50))
    assert all(len(piece) == 64 for piece in pieces)
    assert len(splitter._pending) <= 64


def test_piece_boundaries_respect_utf8() -> None:
    lines = _split([("€" * 30).encode()], max_line_bytes=10)
    assert "".join(lines) == "€" * 30
    assert "\ufffd" not in "".join(lines)


@given(st.text(alphabet="ab\n", max_size=200), st.lists(st.integers(1, 17), max_size=30))
def test_ascii_output_round_trips(text: str, cuts: list[int]) -> None:
    data = text.encode()
    chunks, position = [], 0
    for size in cuts:
        chunks.append(data[position : position + size])
        position += size
    chunks.append(data[position:])
    lines = _split(chunks, max_line_bytes=1000)
    expected = text.split("\n")
    if expected and expected[-1] == "":
        expected.pop()
    assert lines == expected

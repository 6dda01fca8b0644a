# ruff: noqa: PT009  (a unittest project: no pytest needed to run it)
import io
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

from textstats.__main__ import main


class CliTest(unittest.TestCase):
    def test_prints_counts_per_file(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "a.txt"
            path.write_text("to be or not to be", encoding="utf-8")
            out = io.StringIO()
            with redirect_stdout(out):
                self.assertEqual(main([str(path)]), 0)
        self.assertIn("6 words; top: be=2, to=2, not=1", out.getvalue())

    def test_usage(self) -> None:
        self.assertEqual(main([]), 2)


if __name__ == "__main__":
    unittest.main()

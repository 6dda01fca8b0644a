# ruff: noqa: PT009  (a unittest project: no pytest needed to run it)
import unittest

from textstats import top_words, word_count, words


class WordsTest(unittest.TestCase):
    def test_words_are_lower_cased_and_keep_apostrophes(self) -> None:
        self.assertEqual(words("Don't PANIC, don't."), ["don't", "panic", "don't"])

    def test_count(self) -> None:
        self.assertEqual(word_count("one two  three\nfour"), 4)
        self.assertEqual(word_count(""), 0)

    def test_top_words_ties_are_alphabetical(self) -> None:
        self.assertEqual(top_words("b a b a c", limit=2), [("a", 2), ("b", 2)])


if __name__ == "__main__":
    unittest.main()

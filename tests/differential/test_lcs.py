#!/usr/bin/python3
"""Differential: LCS against redis-server 7.0 on random strings over small
alphabets (many ties), so the bit-per-cell table Larder keeps backtracks to
the same string and the same IDX matches as Redis's table of lengths; and
the refusal past proto-max-bulk-len."""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase  # noqa: E402


class LcsTest(DifferentialTestCase):
    def test_random_strings_match(self):
        rng = random.Random(14)
        script = []
        for i in range(150):
            alphabet = rng.choice(["ab", "abc", "acgt", "abcdefghij"])
            a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
            b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
            script.append(("MSET", "a", a, "b", b))
            script.append(("LCS", "a", "b"))
            script.append(("LCS", "a", "b", "LEN"))
            script.append(("LCS", "a", "b", "IDX", "WITHMATCHLEN"))
            script.append(("LCS", "b", "a", "IDX", "MINMATCHLEN", str(i % 4)))
        self.check(script)

    def test_refused_past_proto_max_bulk_len(self):
        self.check([
            ("CONFIG", "SET", "proto-max-bulk-len", "1mb"),
            ("MSET", "a", "x" * 600, "b", "y" * 600), ("LCS", "a", "b"), ("LCS", "a", "b", "LEN"),
            ("MSET", "a", "x" * 500, "b", "x" * 400), ("LCS", "a", "b", "LEN"),
            ("CONFIG", "SET", "proto-max-bulk-len", "512mb"),
        ])


if __name__ == "__main__":
    unittest.main()

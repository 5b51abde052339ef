#!/usr/bin/python3
"""Differential: the geo family against redis-server 7.0, in RESP2 and RESP3:
GEOADD options, GEODIST / GEOPOS / GEOHASH formatting to the byte, and
GEOSEARCH / GEOSEARCHSTORE / GEORADIUS* over random points worldwide (poles,
antimeridian, big and tiny radii, boxes), with orders that have no ties."""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ProtocolDiffTestCase  # noqa: E402

CITIES = [
    ("13.361389", "38.115556", "Palermo"), ("15.087269", "37.502669", "Catania"),
    ("2.349014", "48.864716", "Paris"), ("-0.118092", "51.509865", "London"),
    ("-73.935242", "40.730610", "NYC"), ("139.691711", "35.689487", "Tokyo"),
    ("179.9999", "0.5", "EastEdge"), ("-179.9999", "0.5", "WestEdge"),
    ("0", "85.05112878", "North"), ("0", "-85.05112878", "South"), ("151.2093", "-33.8688", "Sydney"),
]


def geoadd_all(key="g"):
    args = []
    for lon, lat, name in CITIES:
        args += [lon, lat, name]
    return ("GEOADD", key) + tuple(args)


class GeoDiffCase(ProtocolDiffTestCase):

    def test_geoadd_and_point_queries(self):
        names = [c[2] for c in CITIES]
        script = [geoadd_all(), ("ZRANGE", "g", "0", "-1", "WITHSCORES"),
                  ("GEOPOS", "g") + tuple(names) + ("nope",), ("GEOHASH", "g") + tuple(names) + ("nope",),
                  ("GEOPOS", "nokey", "a", "b"), ("GEOHASH", "nokey", "a"), ("GEOPOS", "g"), ("GEOHASH", "g")]
        for a in names:
            for b in names:
                script.append(("GEODIST", "g", a, b))
            for unit in ("m", "KM", "ft", "Mi"):
                script.append(("GEODIST", "g", a, "Paris", unit))
        script += [
            ("GEODIST", "g", "Paris", "nope"), ("GEODIST", "nokey", "a", "b"), ("GEODIST", "g", "Paris", "London", "yd"),
            ("GEODIST", "g", "Paris", "London", "km", "x"),
            ("GEOADD", "g", "NX", "1", "1", "Paris", "2", "2", "New"), ("GEOPOS", "g", "Paris", "New"),
            ("GEOADD", "g", "XX", "3", "3", "New", "4", "4", "Newer"), ("GEOPOS", "g", "New", "Newer"),
            ("GEOADD", "g", "XX", "CH", "5", "5", "New", "5", "5", "New"), ("GEOADD", "g", "CH", "5", "5", "New"),
            ("GEOADD", "g", "NX", "XX", "1", "1", "a"), ("GEOADD", "g", "1", "1"), ("GEOADD", "g", "NX", "CH", "NX"),
            ("GEOADD", "g", "GT", "1", "1", "a"), ("GEOADD", "g", "181", "1", "a"), ("GEOADD", "g", "1", "86", "a"),
            ("GEOADD", "g", "1", "1", "ok", "-181", "1", "bad"), ("GEOPOS", "g", "ok"), ("GEOADD", "g", "x", "1", "a"),
            ("GEOADD", "g", "1", "nan", "a"), ("GEOADD", "nokey", "XX", "1", "1", "a"), ("EXISTS", "nokey"),
            ("SET", "s", "v"), ("GEOADD", "s", "1", "1", "a"), ("GEOPOS", "s", "a"), ("GEODIST", "s", "a", "b"),
            ("GEOHASH", "s", "a"), ("GEOADD", "g", "-180", "-85.05112878", "corner"), ("GEOPOS", "g", "corner"),
            ("GEOHASH", "g", "corner"), ("ZADD", "g", "0", "zero", "4503599627370495", "max"),
            ("GEOPOS", "g", "zero", "max"), ("GEOHASH", "g", "zero", "max"),
        ]
        self.check(script)

    def test_search_errors(self):
        self.check([
            geoadd_all(),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "10", "kq"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "-1", "km"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYBOX", "-1", "1", "km"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYBOX", "1", "x", "km"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYBOX", "x", "1", "km"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "x", "km"), ("GEORADIUS", "g", "1", "1", "x", "km"),
            ("GEORADIUS", "g", "x", "1", "1", "km"), ("GEOSEARCH", "g", "FROMLONLAT", "1", "x", "BYRADIUS", "1", "km"),
            ("GEOSEARCH", "g", "BYRADIUS", "1", "km", "ASC"), ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "ASC"),
            ("GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"),
            ("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km"),
            ("GEOSEARCH", "g", "FROMLONLAT", "200", "1", "BYRADIUS", "1", "km"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "COUNT", "0"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "COUNT", "x"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "ANY"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "STORE", "x"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "STOREDIST"),
            ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "FOO"),
            ("GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "WITHDIST"),
            ("GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km"),
            ("GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "kq"),
            ("GEOSEARCH", "nokey", "BYRADIUS", "1", "km"),
            ("SET", "d", "v"), ("GEOSEARCHSTORE", "d", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km"), ("EXISTS", "d"),
            ("GEORADIUS", "g", "1", "1", "1", "km", "WITHDIST", "STORE", "x"),
            ("GEORADIUS", "g", "1", "1", "1", "km", "STOREDIST", "x", "WITHHASH"),
            ("GEORADIUS", "g", "1", "100", "1", "km"), ("GEORADIUS", "g", "1", "1", "-1", "km"),
            ("GEORADIUS_RO", "g", "1", "1", "1", "km", "STORE", "x"), ("GEORADIUS", "g", "1", "1", "1", "km", "FROMMEMBER", "x"),
            ("GEORADIUSBYMEMBER", "g", "nope", "1", "km"), ("GEORADIUSBYMEMBER", "nokey", "nope", "1", "km"),
            ("GEORADIUSBYMEMBER", "nokey", "nope", "1", "km", "STORE", "d2"),
            ("GEORADIUSBYMEMBER_RO", "g", "Paris", "1", "km", "STOREDIST", "x"),
            ("SET", "s", "v"), ("GEOSEARCH", "s", "FROMMEMBER", "x", "BYRADIUS", "1", "km"),
            ("GEORADIUS", "s", "1", "1", "1", "km"),
        ])

    def test_searches_match(self):
        script = [geoadd_all(),
                  ("GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "200", "km", "ASC", "WITHDIST", "WITHCOORD", "WITHHASH"),
                  ("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "DESC", "WITHDIST"),
                  ("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "WITHCOORD"),
                  ("GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "20000", "km", "ASC", "WITHDIST"),
                  ("GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYBOX", "40000", "20000", "km", "DESC"),
                  ("GEOSEARCH", "g", "FROMLONLAT", "179", "0", "BYRADIUS", "300", "km", "ASC", "WITHDIST"),
                  ("GEOSEARCH", "g", "FROMLONLAT", "0", "85", "BYRADIUS", "100", "km", "WITHDIST"),
                  ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "0", "m", "WITHDIST"),
                  ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1000", "km", "COUNT", "2", "WITHDIST"),
                  ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "20000", "km", "COUNT", "3", "DESC"),
                  ("GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1", "km", "WITHDIST", "WITHHASH", "WITHCOORD"),
                  ("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "m"),
                  ("GEOSEARCHSTORE", "dst", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1000", "km", "ASC"),
                  ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
                  ("GEOSEARCHSTORE", "dst", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1000", "km", "STOREDIST"),
                  ("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ("TTL", "dst"),
                  ("GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "m"), ("EXISTS", "dst"),
                  ("GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "ASC"),
                  ("GEORADIUS", "g", "15", "37", "200", "mi", "WITHDIST", "DESC", "COUNT", "1"),
                  ("GEORADIUS_RO", "g", "15", "37", "200000", "ft", "WITHHASH", "ASC"),
                  ("GEORADIUSBYMEMBER", "g", "Paris", "500", "km", "WITHDIST", "ASC"),
                  ("GEORADIUSBYMEMBER_RO", "g", "Paris", "500", "km", "WITHCOORD", "ASC"),
                  ("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "r1"), ("ZRANGE", "r1", "0", "-1", "WITHSCORES"),
                  ("GEORADIUSBYMEMBER", "g", "Paris", "20000", "km", "STOREDIST", "r2", "ASC", "COUNT", "4"),
                  ("ZRANGE", "r2", "0", "-1", "WITHSCORES")]
        self.check(script)

    def test_random_points_and_searches_match(self):
        rng = random.Random(33)
        for big in (False, True):
            script = [("CONFIG", "SET", "zset-max-listpack-entries", "0" if big else "128")]
            args = []
            for i in range(120):
                lon = rng.uniform(-180, 180) if i % 3 else rng.uniform(2, 3)
                lat = rng.uniform(-85, 85) if i % 3 else rng.uniform(48, 49)
                args += ["%.6f" % lon, "%.6f" % lat, "p%d" % i]
            script.append(("GEOADD", "g") + tuple(args))
            for _ in range(60):
                center = ("FROMLONLAT", "%.5f" % rng.uniform(-180, 180), "%.5f" % rng.uniform(-85, 85))
                if rng.random() < 0.4:
                    center = ("FROMLONLAT", "%.5f" % rng.uniform(2, 3), "%.5f" % rng.uniform(48, 49))
                if rng.random() < 0.3:
                    center = ("FROMMEMBER", "p%d" % rng.randrange(120))
                unit = rng.choice(["m", "km", "mi", "ft"])
                scale = {"m": 1000, "km": 1, "mi": 0.62, "ft": 3280}[unit]
                size = rng.choice([1, 10, 50, 200, 1000, 5000])
                if rng.random() < 0.5:
                    shape = ("BYRADIUS", "%.3f" % (size * scale), unit)
                else:
                    shape = ("BYBOX", "%.3f" % (size * scale), "%.3f" % (size * scale * rng.uniform(0.3, 3)), unit)
                order = rng.choice([("ASC",), ("DESC",)])
                script.append(("GEOSEARCH", "g") + center + shape + order + ("WITHDIST", "WITHCOORD", "WITHHASH"))
                script.append(("GEOSEARCH", "g") + center + shape + order + ("COUNT", "5"))
                script.append(("GEOSEARCHSTORE", "d", "g") + center + shape + ("STOREDIST",))
                script.append(("ZRANGE", "d", "0", "-1", "WITHSCORES"))
            self.check(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            for c in (rc, lc):
                c.cmd("CONFIG", "SET", "zset-max-listpack-entries", "128")

    def test_count_among_equal_distances(self):
        # With COUNT short of the matches Redis sorts with pqsort, whose order
        # among equal distances the reply shows (7 points: insertion sort
        # ends; over 40: the ninther picks the pivot).
        rng = random.Random(17)
        for n in (7, 12, 45, 90):
            script = [("DEL", "g")]
            args = []
            for i in range(n):
                spot = rng.choice([(1, 1), (1.001, 1), (1, 1.001), (0.999, 1)])
                args += ["%.6f" % spot[0], "%.6f" % spot[1], "m%d" % i]
            script.append(("GEOADD", "g") + tuple(args))
            for count in ("1", "2", "3", "6", "7", str(n // 2), str(n - 1)):
                for order in ((), ("ASC",), ("DESC",)):
                    script.append(("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "COUNT", count)
                                  + order)
                script.append(("GEORADIUS", "g", "1", "1", "1", "km", "COUNT", count, "DESC", "WITHDIST"))
                script.append(("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "1", "1", "BYBOX", "2", "2", "km",
                               "COUNT", count))
                script.append(("ZRANGE", "d", "0", "-1"))
            self.check(script)

    def test_invalid_pair_error_is_whole(self):
        self.check([("GEOADD", "g", "1e110", "1", "x"), ("GEOADD", "g", "1", "-1e300", "x"),
                    ("GEOSEARCH", "g", "FROMLONLAT", "1e200", "0", "BYRADIUS", "1", "km"),
                    ("GEORADIUS", "g", "0", "-1e110", "1", "km")])


class GeoResp2(GeoDiffCase):
    PROTOCOL = 2


class GeoResp3(GeoDiffCase):
    PROTOCOL = 3


del GeoDiffCase

if __name__ == "__main__":
    unittest.main()

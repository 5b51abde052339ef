#include <catch2/catch.hpp>

#include <string>

#include "larder/scripting/sha1.h"

using larder::scripting::sha1_hex;

TEST_CASE("sha1_hex matches the FIPS 180 test vectors", "[scripting]") {
  CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  CHECK(sha1_hex(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  // Lengths around the padding boundaries (55, 56, 63, 64 bytes).
  CHECK(sha1_hex(std::string(55, 'x')).size() == 40);
  CHECK(sha1_hex(std::string(56, 'x')) != sha1_hex(std::string(55, 'x')));
  CHECK(sha1_hex("return 1") == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

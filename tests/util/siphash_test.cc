#include "larder/util/siphash.h"

#include <catch2/catch.hpp>

#include <string>

using larder::util::SipKey;
using larder::util::siphash;

TEST_CASE("SipHash-2-4 matches the reference test vector", "[siphash]") {
  // Appendix A of the SipHash paper: key 00..0f, message 00..0e.
  const SipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::string message;
  for (int i = 0; i < 15; ++i) message.push_back(static_cast<char>(i));
  CHECK(siphash<2, 4>(key, message) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("SipHash depends on the key and on every byte", "[siphash]") {
  const SipKey a{1, 2};
  const SipKey b{1, 3};
  CHECK(siphash<1, 3>(a, "user:1") != siphash<1, 3>(b, "user:1"));
  CHECK(siphash<1, 3>(a, "user:1") != siphash<1, 3>(a, "user:2"));
  CHECK(siphash<1, 3>(a, std::string_view("\0", 1)) != siphash<1, 3>(a, ""));
  CHECK(siphash<1, 3>(a, "0123456789abcdef") == siphash<1, 3>(a, "0123456789abcdef"));
}

TEST_CASE("The process key is drawn at random", "[siphash]") {
  const SipKey& key = larder::util::process_hash_key();
  CHECK((key.k0 | key.k1) != 0);
  CHECK(larder::util::keyed_hash("k") == siphash<1, 3>(key, "k"));
}

#include "larder/server/tls.h"

#include <catch2/catch.hpp>

#include "larder/config/live_config.h"

using larder::config::ConfigError;
using larder::config::Settings;
using larder::server::is_tls_context_directive;
using larder::server::make_tls_context;
using larder::server::tls_verify_mode;

namespace {
// The directive a failed make_tls_context() names.
std::string blamed(const Settings& s) {
  try {
    make_tls_context(s);
  } catch (const ConfigError& e) {
    return e.directive();
  }
  return "";
}
}  // namespace

TEST_CASE("a TLS context names the directive it cannot use", "[tls]") {
  Settings s;
  CHECK(blamed(s) == "tls-cert-file");
  s.set("tls-cert-file", {"/nonexistent/server.crt"});
  CHECK(blamed(s) == "tls-key-file");
  s.set("tls-key-file", {"/nonexistent/server.key"});
  CHECK(blamed(s) == "tls-ca-cert-file");  // tls-auth-clients yes needs a CA
  s.set("tls-ca-cert-file", {"/nonexistent/ca.crt"});
  for (const char* bad : {"TLSv1.4", "TLSv1.2  TLSv1.3", " ", "SSLv3"}) {
    s.set("tls-protocols", {bad});
    CHECK(blamed(s) == "tls-protocols");
  }
  for (const char* good : {"TLSv1.2 TLSv1.3", "tlsv1.3", "TLSv1 TLSv1.1", ""}) {
    s.set("tls-protocols", {good});
    CHECK(blamed(s) == "tls-cert-file");  // got past the protocols to the files
  }
  s.set("tls-auth-clients", {"no"});
  s.set("tls-ca-cert-file", {""});
  CHECK(blamed(s) == "tls-cert-file");
}

TEST_CASE("tls-* directives validate like Redis's", "[tls]") {
  Settings s;
  CHECK(s.get("tls-port") == "0");
  CHECK(s.get("tls-auth-clients") == "yes");
  s.set("tls-auth-clients", {"OPTIONAL"});
  CHECK(s.get("tls-auth-clients") == "optional");
  CHECK_THROWS_AS(s.set("tls-auth-clients", {"maybe"}), ConfigError);
  CHECK_THROWS_AS(s.set("tls-port", {"65536"}), ConfigError);
  CHECK_THROWS_AS(s.set("tls-prefer-server-ciphers", {"sometimes"}), ConfigError);
  s.set("tls-port", {"6380"});
  CHECK(larder::config::Options::from(s).tls_port == 6380);
}

TEST_CASE("which directives need a new context, and the verify modes", "[tls]") {
  CHECK(is_tls_context_directive("tls-cert-file"));
  CHECK(is_tls_context_directive("TLS-CIPHERS"));
  CHECK_FALSE(is_tls_context_directive("tls-port"));
  CHECK_FALSE(is_tls_context_directive("tls-auth-clients"));
  CHECK_FALSE(is_tls_context_directive("port"));
  CHECK(tls_verify_mode("no") == asio::ssl::verify_none);
  CHECK(tls_verify_mode("optional") == asio::ssl::verify_peer);
  CHECK(tls_verify_mode("yes") == (asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert));
}

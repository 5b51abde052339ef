#include "larder/server/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <string>

#include "larder/util/strings.h"

namespace larder::server {

namespace {

using config::ConfigError;

// OpenSSL's error queue of this thread as one line (and emptied).
std::string openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!out.empty()) out += "; ";
    out += text.data();
  }
  return out.empty() ? "unknown error" : out;
}

[[noreturn]] void fail(const char* directive, const std::string& reason) {
  throw ConfigError(directive, reason);
}

// Redis's parseProtocolsConfig: words separated by single spaces, each one of
// TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (any case); "" means TLSv1.2 and TLSv1.3.
// Returns the SSL_OP_NO_* options that turn the others off.
long protocol_options(const std::string& text) {
  constexpr std::pair<const char*, long> kProtocols[] = {
      {"tlsv1", SSL_OP_NO_TLSv1}, {"tlsv1.1", SSL_OP_NO_TLSv1_1},
      {"tlsv1.2", SSL_OP_NO_TLSv1_2}, {"tlsv1.3", SSL_OP_NO_TLSv1_3}};
  if (text.empty()) return SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
  long off = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3;
  std::size_t start = 0;
  for (;;) {
    const std::size_t space = text.find(' ', start);
    const std::string word = text.substr(start, space == std::string::npos ? std::string::npos : space - start);
    const auto* known = std::find_if(std::begin(kProtocols), std::end(kProtocols),
                                     [&](const auto& p) { return ::strcasecmp(p.first, word.c_str()) == 0; });
    if (known == std::end(kProtocols)) {
      fail("tls-protocols",
           "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
    }
    off &= ~known->second;
    if (space == std::string::npos) return off;
    start = space + 1;
  }
}

}  // namespace

bool is_tls_context_directive(std::string_view name) {
  return name.size() > 4 && util::iequals(name.substr(0, 4), "tls-") && !util::iequals(name, "tls-port") &&
         !util::iequals(name, "tls-auth-clients");
}

asio::ssl::verify_mode tls_verify_mode(std::string_view auth_clients) {
  if (auth_clients == "no") return asio::ssl::verify_none;
  if (auth_clients == "optional") return asio::ssl::verify_peer;
  return asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert;
}

std::shared_ptr<asio::ssl::context> make_tls_context(const config::Settings& s) {
  ERR_clear_error();
  const std::string cert = s.get("tls-cert-file");
  const std::string key = s.get("tls-key-file");
  const std::string ca_file = s.get("tls-ca-cert-file");
  const std::string ca_dir = s.get("tls-ca-cert-dir");
  if (cert.empty()) fail("tls-cert-file", "No tls-cert-file configured!");
  if (key.empty()) fail("tls-key-file", "No tls-key-file configured!");
  if (s.get("tls-auth-clients") != "no" && ca_file.empty() && ca_dir.empty()) {
    fail("tls-ca-cert-file",
         "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-auth-clients is enabled!");
  }
  const long protocols_off = protocol_options(s.get("tls-protocols"));

  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  // (OpenSSL 3 refuses client-initiated renegotiation unless told otherwise.)
  SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS |
                               SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_DH_USE | protocols_off);
  if (s.get("tls-prefer-server-ciphers") == "yes") SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Without a callback OpenSSL would prompt on the terminal for an encrypted key.
  context->set_password_callback(
      [pass = s.get("tls-key-file-pass")](std::size_t, asio::ssl::context::password_purpose) { return pass; });
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) <= 0) {
    fail("tls-cert-file", "Failed to load certificate: " + cert + ": " + openssl_errors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) <= 0) {
    fail("tls-key-file", "Failed to load private key: " + key + ": " + openssl_errors());
  }
  if ((!ca_file.empty() || !ca_dir.empty()) &&
      SSL_CTX_load_verify_locations(ctx, ca_file.empty() ? nullptr : ca_file.c_str(),
                                    ca_dir.empty() ? nullptr : ca_dir.c_str()) <= 0) {
    fail(ca_file.empty() ? "tls-ca-cert-dir" : "tls-ca-cert-file",
         "Failed to configure CA certificate(s) file/directory: " + openssl_errors());
  }
  if (const std::string ciphers = s.get("tls-ciphers"); !ciphers.empty() &&
                                                        !SSL_CTX_set_cipher_list(ctx, ciphers.c_str())) {
    fail("tls-ciphers", "Failed to configure ciphers: " + openssl_errors());
  }
  if (const std::string suites = s.get("tls-ciphersuites"); !suites.empty() &&
                                                            !SSL_CTX_set_ciphersuites(ctx, suites.c_str())) {
    fail("tls-ciphersuites", "Failed to configure ciphersuites: " + openssl_errors());
  }
  if (s.get("tls-session-caching") == "yes") {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, config::integer_value(s.get("tls-session-cache-size")));
    SSL_CTX_set_timeout(ctx, config::integer_value(s.get("tls-session-cache-timeout")));
    static constexpr unsigned char kSessionContext[] = "larder";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  if (const std::string dh = s.get("tls-dh-params-file"); !dh.empty()) {
    asio::error_code ec;
    context->use_tmp_dh_file(dh, ec);
    if (ec) fail("tls-dh-params-file", "Failed to load DH params file: " + dh + ": " + ec.message());
  }
  return context;
}

}  // namespace larder::server

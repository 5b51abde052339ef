#pragma once
// TLS for client connections (tls-port): the OpenSSL context built from the
// tls-* directives, as Redis 7.0's tlsConfigure builds it.

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <memory>
#include <string_view>

#include "larder/config/options.h"

namespace larder::server {

// A server context from the settings' tls-* directives. Throws
// config::ConfigError(directive, reason) naming the directive at fault and
// OpenSSL's reason (a certificate that cannot be read, unknown ciphers, ...).
std::shared_ptr<asio::ssl::context> make_tls_context(const config::Settings& settings);

// True for the directives that make_tls_context() reads (tls-port and
// tls-auth-clients excepted: they need no new context).
bool is_tls_context_directive(std::string_view name);

// tls-auth-clients (yes, optional, no) as the verify mode of a new connection.
asio::ssl::verify_mode tls_verify_mode(std::string_view auth_clients);

}  // namespace larder::server

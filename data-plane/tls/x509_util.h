#pragma once

// Small OpenSSL helpers shared by the TLS context and the session: names, times and errors in
// the forms operators read, and RAII owners for OpenSSL objects.
//
// Threading: any thread (pure functions over the objects passed in).

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace portico::dp::tls {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509StackFree {
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// A distinguished name in RFC 2253 form ("CN=client-1,O=Example"): most specific first, special
// characters escaped, non-ASCII bytes as \XX, so the result is printable ASCII and safe in an
// HTTP header value.
std::string nameRfc2253(const X509_NAME* name);
// Seconds since the epoch (0 when the time cannot be read).
int64_t unixTime(const ASN1_TIME* time);
// The names SNI matches a certificate on: its DNS subjectAltNames, else its subject CN.
std::vector<std::string> certificateNames(X509* certificate);
std::string serialHex(X509* certificate);
// The reason text of OpenSSL's oldest queued error ("no start line"), and clears the queue.
std::string takeOpensslError();

// The subject (RFC 2253) of the client certificate of a completed handshake, when the client
// sent one and it verified; empty otherwise.
std::string verifiedPeerSubject(SSL* ssl);

}  // namespace portico::dp::tls

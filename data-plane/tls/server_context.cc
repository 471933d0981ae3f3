#include "data-plane/tls/server_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <ctime>

#include "common/strings.h"
#include "data-plane/tls/x509_util.h"

namespace portico::dp::tls {

namespace asio = boost::asio;

namespace {

constexpr long kSessionLifetimeSeconds = 300;
constexpr long kSessionCacheEntries = 20480;
constexpr int kMaxClientChainDepth = 10;

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr memoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Never prompt on the terminal for a passphrase (OpenSSL's default callback does): an
// encrypted key is an error, not a hang.
int noPassphrase(char*, int, int, void*) { return -1; }

// Every certificate in `pem`, in order; an error when there is none.
absl::StatusOr<std::vector<X509Ptr>> parseCertificates(const std::string& pem,
                                                       const PemSource& source) {
  std::vector<X509Ptr> out;
  BioPtr bio = memoryBio(pem);
  ERR_clear_error();
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr)) {
    out.emplace_back(certificate);
  }
  // The loop ends with "no start line" at the end of the input; anything else is a broken PEM.
  const unsigned long error = ERR_peek_last_error();
  const bool clean_end = ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
  if (error != 0 && !clean_end) {
    return absl::InvalidArgumentError(
        cat(source.field, ": ", source.describe(), ": bad PEM certificate (", takeOpensslError(), ")"));
  }
  ERR_clear_error();
  if (out.empty()) {
    return absl::InvalidArgumentError(
        cat(source.field, ": ", source.describe(), ": no PEM certificate found"));
  }
  return out;
}

absl::StatusOr<EvpPkeyPtr> parseKey(const std::string& pem, const PemSource& source) {
  BioPtr bio = memoryBio(pem);
  ERR_clear_error();
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key) {
    if (pem.find("ENCRYPTED") != std::string::npos) {
      ERR_clear_error();
      return absl::InvalidArgumentError(cat(source.field, ": ", source.describe(),
                                            ": encrypted private keys are not supported"));
    }
    return absl::InvalidArgumentError(cat(source.field, ": ", source.describe(),
                                          ": no usable PEM private key (", takeOpensslError(), ")"));
  }
  return key;
}

absl::StatusOr<std::string> read(const PemSource& source) {
  absl::StatusOr<std::string> pem = readPem(source);
  if (!pem.ok()) return absl::InvalidArgumentError(cat(source.field, ": ", pem.status().message()));
  return pem;
}

// ALPN (RFC 7301): pick http/1.1 from the client's list; refuse a list without it.
int selectAlpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
               unsigned int in_length, void*) {
  static constexpr unsigned char kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
  for (unsigned int at = 0; at < in_length;) {
    const unsigned int length = in[at];
    if (at + 1 + length > in_length) break;  // malformed: OpenSSL checks, but never overrun
    if (length == sizeof(kHttp11) && std::equal(kHttp11, kHttp11 + sizeof(kHttp11), in + at + 1)) {
      *out = in + at + 1;
      *out_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    at += 1 + length;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // no_application_protocol
}

}  // namespace

ServerContext::ServerContext() : context_(asio::ssl::context::tls_server) {}

ServerContext::~ServerContext() {
  for (Certificate& certificate : certificates_) {
    X509_free(certificate.leaf);
    EVP_PKEY_free(certificate.key);
    sk_X509_pop_free(certificate.chain, X509_free);
  }
}

absl::StatusOr<ServerContext::SharedPtr> ServerContext::create(
    const TlsSettings& settings, std::shared_ptr<const ListenerTlsStats> stats) {
  std::shared_ptr<ServerContext> context(new ServerContext());
  context->stats_ = std::move(stats);
  context->require_sni_ = settings.require_sni;
  // Stamped before reading: a change during the read shows up at the next poll.
  context->files_ = stampFiles(settings.files());
  context->loaded_at_ = static_cast<int64_t>(std::time(nullptr));
  if (absl::Status status = context->loadCertificates(settings); !status.ok()) return status;
  if (absl::Status status = context->loadClientCa(settings); !status.ok()) return status;
  if (absl::Status status = context->configure(settings); !status.ok()) return status;
  return SharedPtr(std::move(context));
}

absl::Status ServerContext::loadCertificates(const TlsSettings& settings) {
  SSL_CTX* ctx = context_.native_handle();
  std::vector<std::vector<std::string>> names;
  for (const CertificateSource& source : settings.certificates) {
    absl::StatusOr<std::string> chain_pem = read(source.chain);
    if (!chain_pem.ok()) return chain_pem.status();
    absl::StatusOr<std::string> key_pem = read(source.key);
    if (!key_pem.ok()) return key_pem.status();
    absl::StatusOr<std::vector<X509Ptr>> chain = parseCertificates(*chain_pem, source.chain);
    if (!chain.ok()) return chain.status();
    absl::StatusOr<EvpPkeyPtr> key = parseKey(*key_pem, source.key);
    if (!key.ok()) return key.status();
    X509* leaf = chain->front().get();
    ERR_clear_error();
    if (X509_check_private_key(leaf, key->get()) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError(cat(source.key.field, ": ", source.key.describe(),
                                            " does not match the certificate in ",
                                            source.chain.describe()));
    }
    Certificate certificate;
    certificate.chain = sk_X509_new_null();
    for (size_t i = 1; i < chain->size(); ++i) sk_X509_push(certificate.chain, (*chain)[i].release());
    certificate.leaf = chain->front().release();
    certificate.key = key->release();
    certificates_.push_back(certificate);

    CertificateInfo info;
    info.source = source.chain.describe();
    info.subject = nameRfc2253(X509_get_subject_name(certificate.leaf));
    info.issuer = nameRfc2253(X509_get_issuer_name(certificate.leaf));
    info.serial = serialHex(certificate.leaf);
    info.names = certificateNames(certificate.leaf);
    info.not_before = unixTime(X509_get0_notBefore(certificate.leaf));
    info.not_after = unixTime(X509_get0_notAfter(certificate.leaf));
    names.push_back(info.names);
    infos_.push_back(std::move(info));
  }
  sni_ = SniMatcher(names);
  // The first certificate is the default: what a client without (or with an unknown) server
  // name gets. The others are switched in by onServerName.
  const Certificate& first = certificates_.front();
  ERR_clear_error();
  if (SSL_CTX_use_cert_and_key(ctx, first.leaf, first.key, first.chain, 1) != 1) {
    return absl::InvalidArgumentError(cat(settings.certificates.front().chain.field, ": ",
                                          settings.certificates.front().chain.describe(),
                                          ": cannot be used (", takeOpensslError(), ")"));
  }
  return absl::OkStatus();
}

absl::Status ServerContext::loadClientCa(const TlsSettings& settings) {
  if (!settings.trusted_ca) return absl::OkStatus();
  const PemSource& source = *settings.trusted_ca;
  client_ca_source_ = source.describe();
  absl::StatusOr<std::string> pem = read(source);
  if (!pem.ok()) return pem.status();
  absl::StatusOr<std::vector<X509Ptr>> cas = parseCertificates(*pem, source);
  if (!cas.ok()) return cas.status();
  SSL_CTX* ctx = context_.native_handle();
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  STACK_OF(X509_NAME)* issuers = sk_X509_NAME_new_null();
  for (const X509Ptr& ca : *cas) {
    if (X509_STORE_add_cert(store, ca.get()) != 1) {
      ERR_clear_error();  // a duplicate in the bundle: harmless
    }
    sk_X509_NAME_push(issuers, X509_NAME_dup(X509_get_subject_name(ca.get())));
  }
  SSL_CTX_set_client_CA_list(ctx, issuers);  // takes ownership
  SSL_CTX_set_verify(ctx,
                     SSL_VERIFY_PEER |
                         (settings.require_client_certificate ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                     nullptr);
  SSL_CTX_set_verify_depth(ctx, kMaxClientChainDepth);
  return absl::OkStatus();
}

absl::Status ServerContext::configure(const TlsSettings& settings) {
  SSL_CTX* ctx = context_.native_handle();
  SSL_CTX_set_min_proto_version(ctx, settings.min_version);
  SSL_CTX_set_max_proto_version(ctx, settings.max_version);
  // min_version is 1.2 or 1.3 (tls_settings.cc), which rules out SSLv3, TLS 1.0 and 1.1.
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  ERR_clear_error();
  if (SSL_CTX_set_cipher_list(ctx, settings.cipher_list.c_str()) != 1) {
    return absl::InvalidArgumentError(cat(settings.cipher_field, ": no usable cipher in \"",
                                          settings.cipher_list, "\" (", takeOpensslError(), ")"));
  }
  if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1) {
    return absl::InternalError(cat("cannot set key exchange groups: ", takeOpensslError()));
  }
  // Resumed sessions must belong to this listener (and client verification requires an id
  // context): a digest of the listener's name.
  unsigned char id[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(settings.listener.data()), settings.listener.size(), id);
  SSL_CTX_set_session_id_context(ctx, id, SSL_MAX_SID_CTX_LENGTH);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_sess_set_cache_size(ctx, kSessionCacheEntries);
  SSL_CTX_set_timeout(ctx, kSessionLifetimeSeconds);
  SSL_CTX_set_alpn_select_cb(ctx, selectAlpn, nullptr);
  SSL_CTX_set_tlsext_servername_callback(ctx, onServerName);
  SSL_CTX_set_tlsext_servername_arg(ctx, this);
  return absl::OkStatus();
}

// During the ClientHello, on the worker doing the handshake. Reads only immutable members.
int ServerContext::onServerName(SSL* ssl, int* alert, void* arg) {
  const auto* self = static_cast<const ServerContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) {
    if (self->require_sni_) {
      *alert = SSL_AD_UNRECOGNIZED_NAME;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
  }
  const int index = self->sni_.find(name);
  if (index <= 0) return SSL_TLSEXT_ERR_OK;  // the first certificate is already in place
  const Certificate& chosen = self->certificates_[static_cast<size_t>(index)];
  // Clear first: a chosen certificate with another key type would otherwise sit beside the
  // default one, and OpenSSL could still pick the default by signature algorithm.
  SSL_certs_clear(ssl);
  if (SSL_use_cert_and_key(ssl, chosen.leaf, chosen.key, chosen.chain, 1) != 1) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace portico::dp::tls

// TLS termination end to end (issue 5): portico-cp serves listeners[].tls, portico-proxy reads
// the certificates and terminates TLS, and real TLS clients check what it negotiates: curl and
// `openssl s_client` (the command-line tools an operator would reach for) for versions, SNI,
// ALPN and client certificates; an OpenSSL client in the test for what needs a kept-alive
// connection (reload) and Beast's WebSocket client over TLS. Certificates are made in the test
// (tests/support/test_pki.h); the echo backend echoes the request headers it received as JSON,
// which shows what reached the upstream.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <signal.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_env.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_client.h"
#include "tests/support/tool_run.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

constexpr absl::Duration kToolTimeout = absl::Seconds(20);

// A command-line client's run: its exit code and what it printed (stdout, then stderr).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs /usr/bin/<argv[0]> with the rest of `argv`; `env`: "NAME=value" entries to set.
CommandResult runCommand(const std::vector<std::string>& argv, absl::Duration timeout,
                         const std::vector<std::string>& env = {}) {
  const ToolRun run = runTool(cat("/usr/bin/", argv[0]), {argv.begin() + 1, argv.end()},
                              ToolEnv{env, {}}, timeout);
  return {run.exit_code, run.out + run.err};
}

class TlsTerminationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = makeTempDir("portico-tls-e2e");
    a_ = writePemPair(dir_, "a", ca_.issue({"a.test", "", {"a.test"}}));
    b_ = writePemPair(dir_, "b", ca_.issue({"b.test", "", {"b.test"}}));
    client_ = writePemPair(dir_, "client", ca_.issue({"client-1", "Portico Test", {}, true}));
    stranger_ = writePemPair(dir_, "stranger", other_ca_.issue({"stranger", "", {}, true}));
    ca_file_ = cat(dir_, "/ca.pem");
    replaceFile(ca_file_, ca_.certificatePem());
    plain_port_ = pickFreePort();
    secure_port_ = pickFreePort();
    mtls_port_ = pickFreePort();

    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml = config(a_.first);
    auto cp = ControlPlaneProcess::start(cp_options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    auto backend = EchoBackend::start({"e1", cat("127.0.0.1:", cp_->adminPort()), "echo", 10});
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = std::move(*backend);
    ProxyProcess::Options options;
    options.xds_address = cp_->xdsAddress();
    options.extra_args = {"--tls_reload_interval=100ms"};
    auto proxy = ProxyProcess::start(options);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
    // Each listener's routes arrive on their own (RDS): wait until all three route.
    const std::vector<std::string> with_cert = {"--cert", client_.first, "--key", client_.second};
    ASSERT_TRUE(waitUntil(
        [&] {
          return routed(curlEcho(secure_port_, "a.test")) &&
                 routed(curlEcho(mtls_port_, "a.test", with_cert)) &&
                 routed(runCommand({"curl", "-sS", "--max-time", "10", "-w", "\n%{http_code} x",
                                    cat("http://127.0.0.1:", plain_port_, "/echo/x")},
                                   kToolTimeout));
        },
        absl::Seconds(20)))
        << curlEcho(secure_port_, "a.test").output << "\n"
        << curlEcho(mtls_port_, "a.test", with_cert).output;
  }

  // curl reached the echo backend (its output ends with "200 <version>").
  static bool routed(const CommandResult& result) {
    return result.exit_code == 0 && result.output.find("\n200 ") != std::string::npos;
  }

  void TearDown() override {
    if (HasFailure()) {
      if (proxy_) std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(8000) << "\n";
      if (cp_) std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(3000) << "\n";
    }
  }

  // public: plaintext; secure: a.test (first) and b.test; mtls: TLS 1.3 only, client
  // certificates required. `secure_cert`: the first certificate's file (a bad one in a test).
  std::string config(const std::string& secure_cert) const {
    return cat("version: 1\n", "listeners:\n",
               "  - { name: public, address: 127.0.0.1, port: ", plain_port_, " }\n",
               "  - name: secure\n", "    address: 127.0.0.1\n", "    port: ", secure_port_, "\n",
               "    tls:\n", "      certificates:\n",
               "        - { cert: ", secure_cert, ", key: ", a_.second, " }\n",
               "        - { cert: ", b_.first, ", key: ", b_.second, " }\n",
               "  - name: mtls\n", "    address: 127.0.0.1\n", "    port: ", mtls_port_, "\n",
               "    tls:\n", "      certificates: [{ cert: ", a_.first, ", key: ", a_.second, " }]\n",
               "      min_version: \"1.3\"\n", "      client_ca: ", ca_file_, "\n",
               "    http: { header_timeout: 1s }\n",
               "routes:\n",
               "  - { name: echo, match: { path_prefix: /echo }, service: echo }\n",
               "  - name: moved\n", "    match: { path_prefix: /moved }\n",
               "    redirect: { status: 301, path: /echo/new }\n");
  }

  // curl GET https://<name>:<port>/echo/x (resolved to 127.0.0.1, verified against the CA);
  // the output ends with a line "<http code> <http version>".
  CommandResult curlEcho(uint16_t port, const std::string& name,
                         const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "10", "--cacert", ca_file_,
                                     "--resolve", cat(name, ":", port, ":127.0.0.1"),
                                     "-w", "\n%{http_code} %{http_version}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(cat("https://", name, ":", port, "/echo/x"));
    return runCommand(argv, kToolTimeout);
  }

  // The request headers the echo backend received, from curl's output.
  static json::object echoedHeaders(const std::string& output) {
    const size_t end = output.rfind('\n');
    json::value body = json::parse(output.substr(0, end));
    return body.at("headers").as_object();
  }

  // openssl s_client against `port` with `args`; no request is sent (stdin is empty).
  CommandResult sClient(uint16_t port, const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}) const {
    std::vector<std::string> argv = {"openssl", "s_client", "-connect", cat("127.0.0.1:", port),
                                     "-CAfile", ca_file_};
    argv.insert(argv.end(), args.begin(), args.end());
    return runCommand(argv, kToolTimeout, env);
  }

  // The value of one series in the proxy's /metrics (-1 when absent).
  double metric(const std::string& series) const {
    auto response = proxy_->admin("/metrics");
    if (!response.ok()) return -1;
    std::istringstream lines(response->body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(series + " ", 0) == 0) {
        double value = 0;
        if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
      }
    }
    return -1;
  }
  std::string handshakeErrors(const std::string& listener, const std::string& reason) const {
    return cat("portico_proxy_tls_handshake_errors_total{listener=\"", listener, "\",reason=\"",
               reason, "\"}");
  }
  // Waits until `series` counts more than `before`.
  bool counted(const std::string& series, double before) const {
    return waitUntil([&] { return metric(series) > before; }, absl::Seconds(10));
  }

  TlsClient::Options clientOptions(const std::string& server_name) const {
    TlsClient::Options options;
    options.server_name = server_name;
    options.ca_file = ca_file_;
    return options;
  }

  TestCa ca_{"Portico Test CA"};
  TestCa other_ca_{"Someone Else's CA"};
  std::string dir_;
  std::pair<std::string, std::string> a_, b_, client_, stranger_;
  std::string ca_file_;
  uint16_t plain_port_ = 0;
  uint16_t secure_port_ = 0;
  uint16_t mtls_port_ = 0;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::unique_ptr<EchoBackend> backend_;
  std::unique_ptr<ProxyProcess> proxy_;
};

// ---- versions ---------------------------------------------------------------------------------

TEST_F(TlsTerminationTest, Tls12AndTls13AreServed) {
  const double tls12_before =
      metric("portico_proxy_tls_handshakes_total{listener=\"secure\",version=\"TLSv1.2\"}");
  CommandResult tls12 = curlEcho(secure_port_, "a.test", {"--tlsv1.2", "--tls-max", "1.2"});
  ASSERT_EQ(tls12.exit_code, 0) << tls12.output;
  EXPECT_NE(tls12.output.find("\n200 1.1"), std::string::npos) << tls12.output;
  CommandResult tls13 = curlEcho(secure_port_, "a.test", {"--tlsv1.3"});
  ASSERT_EQ(tls13.exit_code, 0) << tls13.output;
  EXPECT_NE(tls13.output.find("\n200 1.1"), std::string::npos) << tls13.output;
  EXPECT_TRUE(counted("portico_proxy_tls_handshakes_total{listener=\"secure\",version=\"TLSv1.2\"}",
                      tls12_before));

  CommandResult s12 = sClient(secure_port_, {"-servername", "a.test", "-tls1_2"});
  EXPECT_NE(s12.output.find("Protocol  : TLSv1.2"), std::string::npos) << s12.output;
  EXPECT_NE(s12.output.find("Verify return code: 0 (ok)"), std::string::npos) << s12.output;
  CommandResult s13 = sClient(secure_port_, {"-servername", "a.test", "-tls1_3"});
  EXPECT_NE(s13.output.find("TLSv1.3"), std::string::npos) << s13.output;

  // The plaintext listener of the same update still serves plaintext.
  CommandResult plain = runCommand({"curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}",
                                    cat("http://127.0.0.1:", plain_port_, "/echo/x")},
                                   kToolTimeout);
  EXPECT_NE(plain.output.find("\n200"), std::string::npos) << plain.output;
  EXPECT_EQ(echoedHeaders(plain.output).at("x-forwarded-proto"), "http");
}

TEST_F(TlsTerminationTest, Tls11IsRefused) {
  const std::string refused = handshakeErrors("secure", "protocol_version");
  const double before = metric(refused);
  // OpenSSL 3 and Debian's defaults will not even offer TLS 1.1: security level 0 lets it.
  CommandResult tls11 = sClient(secure_port_, {"-servername", "a.test", "-tls1_1", "-cipher",
                                               "DEFAULT@SECLEVEL=0"},
                                {"OPENSSL_CONF=/dev/null"});
  EXPECT_NE(tls11.exit_code, 0) << tls11.output;
  EXPECT_NE(tls11.output.find("protocol version"), std::string::npos) << tls11.output;
  EXPECT_TRUE(counted(refused, before)) << "the proxy refused it, not the client";
}

TEST_F(TlsTerminationTest, Tls13OnlyListenerRefusesTls12) {
  const std::string refused = handshakeErrors("mtls", "protocol_version");
  const double before = metric(refused);
  CommandResult tls12 = curlEcho(mtls_port_, "a.test",
                                 {"--tlsv1.2", "--tls-max", "1.2", "--cert", client_.first,
                                  "--key", client_.second});
  EXPECT_NE(tls12.exit_code, 0) << tls12.output;
  EXPECT_TRUE(counted(refused, before));
  CommandResult tls13 =
      curlEcho(mtls_port_, "a.test", {"--cert", client_.first, "--key", client_.second});
  EXPECT_EQ(tls13.exit_code, 0) << tls13.output;
}

// ---- SNI and ALPN ------------------------------------------------------------------------------

TEST_F(TlsTerminationTest, SniPicksTheCertificate) {
  CommandResult a = sClient(secure_port_, {"-servername", "a.test"});
  EXPECT_NE(a.output.find("subject=CN = a.test"), std::string::npos) << a.output;
  CommandResult b = sClient(secure_port_, {"-servername", "b.test"});
  EXPECT_NE(b.output.find("subject=CN = b.test"), std::string::npos) << b.output;
  EXPECT_NE(b.output.find("Verify return code: 0 (ok)"), std::string::npos) << b.output;
  // No server name, or one no certificate has: the first certificate.
  CommandResult none = sClient(secure_port_, {"-noservername"});
  EXPECT_NE(none.output.find("subject=CN = a.test"), std::string::npos) << none.output;
  CommandResult unknown = sClient(secure_port_, {"-servername", "unknown.test"});
  EXPECT_NE(unknown.output.find("subject=CN = a.test"), std::string::npos) << unknown.output;
  // curl verifies b.test's certificate against the name it asked for.
  CommandResult curl_b = curlEcho(secure_port_, "b.test");
  EXPECT_EQ(curl_b.exit_code, 0) << curl_b.output;
}

TEST_F(TlsTerminationTest, AlpnNegotiatesHttp11) {
  CommandResult both = sClient(secure_port_, {"-servername", "a.test", "-alpn", "h2,http/1.1"});
  EXPECT_NE(both.output.find("ALPN protocol: http/1.1"), std::string::npos) << both.output;
  // curl offers h2 and http/1.1 and so speaks HTTP/1.1.
  CommandResult curl = curlEcho(secure_port_, "a.test");
  EXPECT_NE(curl.output.find("\n200 1.1"), std::string::npos) << curl.output;

  const std::string refused = handshakeErrors("secure", "no_alpn");
  const double before = metric(refused);
  CommandResult h2_only = sClient(secure_port_, {"-servername", "a.test", "-alpn", "h2"});
  EXPECT_NE(h2_only.output.find("no application protocol"), std::string::npos) << h2_only.output;
  EXPECT_TRUE(counted(refused, before));
}

// ---- what reaches the upstream -----------------------------------------------------------------

TEST_F(TlsTerminationTest, UpstreamSeesHttpsAndNoSpoofedIdentity) {
  CommandResult curl = curlEcho(secure_port_, "a.test",
                                {"-H", "x-portico-client-cert-subject: CN=admin",
                                 "-H", "X-Forwarded-Proto: http"});
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  const json::object headers = echoedHeaders(curl.output);
  EXPECT_EQ(headers.at("x-forwarded-proto"), "https");
  EXPECT_EQ(headers.at("x-forwarded-for"), "127.0.0.1");
  EXPECT_FALSE(headers.contains("x-portico-client-cert-subject"))
      << "a client never sets the gateway's identity headers";
}

TEST_F(TlsTerminationTest, RedirectKeepsTheHttpsScheme) {
  CommandResult curl = runCommand(
      {"curl", "-sS", "--max-time", "10", "--cacert", ca_file_, "--resolve",
       cat("a.test:", secure_port_, ":127.0.0.1"), "-o", "/dev/null", "-w", "%{redirect_url}",
       cat("https://a.test:", secure_port_, "/moved/x")},
      kToolTimeout);
  EXPECT_EQ(curl.output, cat("https://a.test:", secure_port_, "/echo/new"));
}

TEST_F(TlsTerminationTest, PlaintextHttpOnTheTlsPortIsRefused) {
  const std::string refused = handshakeErrors("secure", "plaintext_http");
  const double before = metric(refused);
  auto connection = RawConnection::connect(secure_port_);
  ASSERT_TRUE(connection.ok()) << connection.status();
  ASSERT_TRUE((*connection)->send("GET /echo/x HTTP/1.1\r\nHost: a.test\r\n\r\n"));
  RawConnection::Received received = (*connection)->readUntilClose(absl::Seconds(10));
  EXPECT_TRUE(received.closed);
  EXPECT_EQ(received.data.find("HTTP/1.1"), std::string::npos) << "never answered in plaintext";
  EXPECT_TRUE(counted(refused, before));
}

// The handshake counts against the listener's header timeout: a client that connects and
// says nothing (or stops halfway through its ClientHello) is cut, not kept forever.
TEST_F(TlsTerminationTest, SilentClientIsCutAtTheHeaderTimeout) {
  const std::string timeouts = handshakeErrors("mtls", "timeout");
  const double before = metric(timeouts);
  auto silent = RawConnection::connect(mtls_port_);
  ASSERT_TRUE(silent.ok()) << silent.status();
  auto partial = RawConnection::connect(mtls_port_);
  ASSERT_TRUE(partial.ok()) << partial.status();
  // The first bytes of a TLS record header (handshake, TLS 1.0 record version), then nothing.
  ASSERT_TRUE((*partial)->send(std::string("\x16\x03\x01", 3)));
  EXPECT_TRUE((*silent)->readUntilClose(absl::Seconds(15)).closed);
  EXPECT_TRUE((*partial)->readUntilClose(absl::Seconds(15)).closed);
  EXPECT_TRUE(waitUntil([&] { return metric(timeouts) >= before + 2; }, absl::Seconds(10)))
      << metric(timeouts);
}

// ---- client certificates -------------------------------------------------------------------

TEST_F(TlsTerminationTest, ClientCertificateIsRequiredAndVerified) {
  const double missing_before = metric(handshakeErrors("mtls", "no_client_certificate"));
  CommandResult without = curlEcho(mtls_port_, "a.test");
  EXPECT_NE(without.exit_code, 0) << without.output;
  EXPECT_EQ(without.output.find("\n200"), std::string::npos) << without.output;
  EXPECT_TRUE(counted(handshakeErrors("mtls", "no_client_certificate"), missing_before));

  const double bad_before = metric(handshakeErrors("mtls", "bad_client_certificate"));
  CommandResult stranger =
      curlEcho(mtls_port_, "a.test", {"--cert", stranger_.first, "--key", stranger_.second});
  EXPECT_NE(stranger.exit_code, 0) << stranger.output;
  EXPECT_TRUE(counted(handshakeErrors("mtls", "bad_client_certificate"), bad_before));

  // A valid certificate: its subject reaches the upstream, and the client's own value of the
  // header does not.
  CommandResult valid = curlEcho(mtls_port_, "a.test",
                                 {"--cert", client_.first, "--key", client_.second, "-H",
                                  "x-portico-client-cert-subject: CN=admin"});
  ASSERT_EQ(valid.exit_code, 0) << valid.output;
  const json::object headers = echoedHeaders(valid.output);
  EXPECT_EQ(headers.at("x-portico-client-cert-subject"), "CN=client-1,O=Portico Test");
  EXPECT_EQ(headers.at("x-forwarded-proto"), "https");

  // openssl s_client sees the acceptable issuers the proxy asks for.
  CommandResult s = sClient(mtls_port_, {"-servername", "a.test"});
  EXPECT_NE(s.output.find("Acceptable client certificate CA names"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("CN = Portico Test CA"), std::string::npos) << s.output;
}

// ---- certificate reload --------------------------------------------------------------------

TEST_F(TlsTerminationTest, CertificatesReloadWithoutRestart) {
  // A kept-alive connection on the current certificate.
  auto old_connection = TlsClient::connect(secure_port_, clientOptions("a.test"));
  ASSERT_TRUE(old_connection.ok()) << old_connection.status();
  const std::string old_serial = (*old_connection)->peerSerial();
  auto first = (*old_connection)->get("/echo/1", "a.test");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->rfind("HTTP/1.1 200", 0), 0u) << *first;
  const double reloads_before =
      metric("portico_proxy_tls_reloads_total{listener=\"secure\",result=\"ok\"}");

  // The operator (or cert-manager) replaces the certificate and key.
  writePemPair(dir_, "a", ca_.issue({"a.test", "Rotated", {"a.test"}}));
  std::string subject;
  ASSERT_TRUE(waitUntil(
      [&] {
        auto fresh = TlsClient::connect(secure_port_, clientOptions("a.test"));
        subject = fresh.ok() ? (*fresh)->peerSubject() : fresh.status().ToString();
        return subject == "CN=a.test,O=Rotated";
      },
      absl::Seconds(15)))
      << subject;
  // s_client agrees, and a request on a new connection works.
  CommandResult s = sClient(secure_port_, {"-servername", "a.test"});
  EXPECT_NE(s.output.find("subject=O = Rotated, CN = a.test"), std::string::npos) << s.output;
  EXPECT_EQ(curlEcho(secure_port_, "a.test").exit_code, 0);

  // The old connection still works, on the certificate it started with.
  auto second = (*old_connection)->get("/echo/2", "a.test");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->rfind("HTTP/1.1 200", 0), 0u) << *second;
  EXPECT_EQ((*old_connection)->peerSerial(), old_serial);
  EXPECT_GT(metric("portico_proxy_tls_reloads_total{listener=\"secure\",result=\"ok\"}"),
            reloads_before);

  // The admin API shows what now serves.
  auto certs = proxy_->admin("/certs");
  ASSERT_TRUE(certs.ok()) << certs.status();
  EXPECT_NE(certs->body.find("\"subject\":\"CN=a.test,O=Rotated\""), std::string::npos) << certs->body;
}

TEST_F(TlsTerminationTest, BadFilesOnDiskKeepThePreviousCertificates) {
  const std::string failing = "portico_proxy_tls_certificate_reload_failing{listener=\"secure\"}";
  EXPECT_EQ(metric(failing), 0);
  replaceFile(a_.second, "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
  ASSERT_TRUE(waitUntil([&] { return metric(failing) == 1; }, absl::Seconds(15)))
      << proxy_->process().logTail(2000);
  EXPECT_GE(metric("portico_proxy_tls_reloads_total{listener=\"secure\",result=\"failed\"}"), 1);
  // Still serving a.test's certificate as loaded before.
  auto client = TlsClient::connect(secure_port_, clientOptions("a.test"));
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ((*client)->peerSubject(), "CN=a.test");
  EXPECT_EQ(curlEcho(secure_port_, "a.test").exit_code, 0);
  auto certs = proxy_->admin("/certs");
  ASSERT_TRUE(certs.ok());
  EXPECT_NE(certs->body.find(cat("\"reload_error\":\"listener \\\"secure\\\": filter_chains[0]."
                                 "transport_socket.typed_config.common_tls_context."
                                 "tls_certificates[0].private_key: ",
                                 a_.second, ": no usable PEM private key")),
            std::string::npos)
      << certs->body;
  EXPECT_NE(proxy_->process().logTail(1 << 16).find("TLS certificate reload failed"), std::string::npos);
}

TEST_F(TlsTerminationTest, BadCertificateInAnUpdateIsNackedAndServingContinues) {
  const std::string missing = cat(dir_, "/missing.crt");
  cp_->reloadConfig(config(missing));
  std::string last;
  ASSERT_TRUE(waitUntil(
      [&] {
        auto response = cp_->get("/v1/proxies");
        if (!response.ok()) return false;
        last = response->body;
        return last.find(cat("cannot read ", missing, ": No such file or directory")) !=
               std::string::npos;
      },
      absl::Seconds(20)))
      << last;
  EXPECT_NE(last.find("listener \\\"secure\\\": filter_chains[0].transport_socket.typed_config."
                      "common_tls_context.tls_certificates[0].certificate_chain"),
            std::string::npos)
      << last;
  // The last good configuration keeps serving, TLS included.
  CommandResult curl = curlEcho(secure_port_, "a.test");
  EXPECT_EQ(curl.exit_code, 0) << curl.output;
  CommandResult b = curlEcho(secure_port_, "b.test");
  EXPECT_EQ(b.exit_code, 0) << b.output;
}

// SIGTERM drains TLS connections like plaintext ones (drain_test has the plaintext cases): a
// kept-alive connection waiting for its next request is closed at once, and the proxy exits 0.
TEST_F(TlsTerminationTest, DrainClosesIdleTlsConnections) {
  auto idle = TlsClient::connect(secure_port_, clientOptions("a.test"));
  ASSERT_TRUE(idle.ok()) << idle.status();
  auto response = (*idle)->get("/echo/1", "a.test");
  ASSERT_TRUE(response.ok()) << response.status();
  proxy_->process().signal(SIGTERM);
  std::string rest;
  EXPECT_TRUE((*idle)->readUntilClose(rest, absl::Seconds(15))) << "closed by the drain";
  EXPECT_EQ(rest, "");
  EXPECT_EQ(proxy_->process().stop(SIGTERM, absl::Seconds(15)), 0);
  proxy_.reset();
}

// ---- WebSocket over TLS --------------------------------------------------------------------

TEST_F(TlsTerminationTest, WebSocketUpgradeWorksOverTls) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(ca_file_);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  websocket::stream<asio::ssl::stream<beast::tcp_stream>> ws(io, ctx);
  SSL_set_tlsext_host_name(ws.next_layer().native_handle(), "a.test");
  auto run = [&io] {
    io.restart();
    io.run_for(std::chrono::seconds(10));
  };
  beast::error_code result = asio::error::timed_out;
  beast::get_lowest_layer(ws).async_connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), secure_port_),
      [&](beast::error_code ec) {
        if (ec) {
          result = ec;
          return;
        }
        ws.next_layer().async_handshake(asio::ssl::stream_base::client, [&](beast::error_code tls_ec) {
          if (tls_ec) {
            result = tls_ec;
            return;
          }
          ws.async_handshake(cat("a.test:", secure_port_), "/echo/ws",
                             [&](beast::error_code ws_ec) { result = ws_ec; });
        });
      });
  run();
  ASSERT_FALSE(result) << result.message();

  // The echo backend's first message is the upgrade request it received.
  beast::flat_buffer hello;
  result = asio::error::timed_out;
  ws.async_read(hello, [&](beast::error_code ec, size_t) { result = ec; });
  run();
  ASSERT_FALSE(result) << result.message();
  const json::value request = json::parse(beast::buffers_to_string(hello.data()));
  EXPECT_EQ(request.at("headers").at("x-forwarded-proto"), "https");

  const std::string big(256 << 10, 'x');  // several TLS records each way
  for (const std::string& message : {std::string("hello"), big}) {
    result = asio::error::timed_out;
    ws.text(true);
    ws.async_write(asio::buffer(message), [&](beast::error_code ec, size_t) { result = ec; });
    run();
    ASSERT_FALSE(result) << result.message();
    beast::flat_buffer echoed;
    result = asio::error::timed_out;
    ws.async_read(echoed, [&](beast::error_code ec, size_t) { result = ec; });
    run();
    ASSERT_FALSE(result) << result.message();
    EXPECT_TRUE(beast::buffers_to_string(echoed.data()) == message) << message.size();
  }
  result = asio::error::timed_out;
  ws.async_close(websocket::close_code::normal, [&](beast::error_code ec) { result = ec; });
  run();
  EXPECT_FALSE(result) << result.message();
}

}  // namespace
}  // namespace portico::testing

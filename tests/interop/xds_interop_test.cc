// The standing interop test: gRPC's own xDS client (libgrpc++ 1.51, "xds:///SERVICE" targets)
// against a real portico-cp. Backends are grpc-echo-server processes registered through the
// control plane's REST API; the client resolves, balances and follows registry changes through
// LDS → RDS → CDS → EDS alone.
//
// gRPC reads its bootstrap (GRPC_XDS_BOOTSTRAP_CONFIG) when its process-wide xDS client is first
// created, so one control plane serves the whole suite and the bootstrap is set before the first
// xDS channel exists (SetUpTestSuite). The cases run in order and each first brings the
// registry into the state it needs, so any one of them also runs alone (--gtest_filter).
//
// Debugging: GRPC_TRACE=xds_client,xds_resolver GRPC_VERBOSITY=debug in the environment shows
// what the client subscribes to, accepts and NACKs; portico-cp runs with --log_level=debug and
// its log is printed when a case fails.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "common/strings.h"
#include "proto/echo.grpc.pb.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;
using portico::testing::v1::Echo;
using portico::testing::v1::EchoReply;
using portico::testing::v1::EchoRequest;

constexpr char kService[] = "echo-grpc";
constexpr absl::Duration kCallDeadline = absl::Seconds(2);
// Upper bound for the client to follow one registry change (debounce + push + reconnects).
constexpr absl::Duration kConvergence = absl::Seconds(20);

// One grpc-echo-server child process.
struct Backend {
  std::unique_ptr<Process> process;
  uint16_t port = 0;
};

// The outcome of one Echo call.
struct CallResult {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;  // error message when not OK
  std::string server;   // the answering backend when OK
};

class XdsInteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(makeTempDir("portico-interop"));
    ControlPlaneProcess::Options options;
    options.extra_args = {"--log_level=debug"};
    auto cp = ControlPlaneProcess::start(options);
    if (!cp.ok()) {
      setup_error_ = new std::string(std::string(cp.status().message()));
      return;
    }
    cp_ = cp->release();
    node_id_ = new std::string(cat("portico-interop-", getpid()));
    const std::string bootstrap =
        cat(R"({"xds_servers":[{"server_uri":")", cp_->xdsAddress(),
            R"(","channel_creds":[{"type":"insecure"}],"server_features":["xds_v3"]}],)",
            R"("node":{"id":")", *node_id_, R"(","cluster":"default"}})");
    // Before the first xDS channel: gRPC reads it when it creates its xDS client.
    ::setenv("GRPC_XDS_BOOTSTRAP_CONFIG", bootstrap.c_str(), 1);
    // While the channel is in TRANSIENT_FAILURE (scale-to-zero), calls fail without polling the
    // xDS stream's socket, so pushes are read only by gRPC's backup poller (every 5 s by
    // default). Read before gRPC initialises; a value in the environment wins.
    ::setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "500", 0);
    backends_ = new std::map<std::string, Backend>();
    registered_ = new std::set<std::string>();
  }

  static void TearDownTestSuite() {
    stub_.reset();
    channel_.reset();
    delete backends_;  // stops the echo servers
    backends_ = nullptr;
    delete registered_;
    registered_ = nullptr;
    if (cp_ != nullptr) {
      cp_->stop();
      delete cp_;
      cp_ = nullptr;
    }
    delete node_id_;
    delete setup_error_;
    delete dir_;
  }

  void SetUp() override {
    ASSERT_EQ(setup_error_, nullptr) << "portico-cp did not start: " << *setup_error_;
    if (!stub_) {
      channel_ = grpc::CreateChannel(cat("xds:///", kService), grpc::InsecureChannelCredentials());
      stub_ = Echo::NewStub(channel_);
    }
  }

  void TearDown() override {
    if (HasFailure()) {
      std::string logs = cat("--- portico-cp log (tail) ---\n", cp_->process().logTail(16384));
      for (auto& [name, backend] : *backends_) {
        logs += cat("--- grpc-echo-server ", name, " (tail) ---\n", backend.process->logTail(1024));
      }
      ADD_FAILURE() << logs;
    }
  }

  // Starts grpc-echo-server `name` (once per suite) and returns its port, 0 on failure.
  static uint16_t startBackend(const std::string& name) {
    if (auto it = backends_->find(name); it != backends_->end()) {
      return it->second.port;
    }
    auto process = Process::start(binaryPath("grpc-echo-server"), {"--name=" + name, "--port=0"},
                                  cat(*dir_, "/echo-", name, ".log"));
    if (!process.ok()) {
      ADD_FAILURE() << "cannot start grpc-echo-server " << name << ": " << process.status();
      return 0;
    }
    Backend backend;
    backend.process = std::move(*process);
    const std::string marker = "listening on 127.0.0.1:";
    const bool listening = waitUntil(
        [&] {
          const std::string log = backend.process->logTail();
          const size_t at = log.find(marker);
          if (at == std::string::npos) {
            return false;
          }
          const size_t start = at + marker.size();
          const size_t end = log.find('\n', start);
          if (end == std::string::npos) {
            return false;
          }
          backend.port = static_cast<uint16_t>(std::stoi(log.substr(start, end - start)));
          return true;
        },
        absl::Seconds(10));
    if (!listening || backend.port == 0) {
      ADD_FAILURE() << "grpc-echo-server " << name << " did not report its port; log:\n"
                    << backend.process->logTail();
      return 0;
    }
    const uint16_t port = backend.port;
    backends_->emplace(name, std::move(backend));
    return port;
  }

  // Registers exactly `names` (instance id = backend name) for kService: starts missing
  // backends, registers missing instances, deregisters the others.
  static bool registerExactly(const std::set<std::string>& names) {
    for (const std::string& name : names) {
      const uint16_t port = startBackend(name);
      if (port == 0) {
        return false;
      }
      if (registered_->count(name) == 0) {
        if (!cp_->registerInstance(kService, name, "127.0.0.1", port, /*ttl_seconds=*/600)) {
          ADD_FAILURE() << "registering " << name << " failed";
          return false;
        }
        registered_->insert(name);
      }
    }
    for (auto it = registered_->begin(); it != registered_->end();) {
      if (names.count(*it) > 0) {
        ++it;
        continue;
      }
      if (!cp_->deregisterInstance(kService, *it)) {
        ADD_FAILURE() << "deregistering " << *it << " failed";
        return false;
      }
      it = registered_->erase(it);
    }
    return true;
  }

  static CallResult call() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(kCallDeadline));
    EchoRequest request;
    request.set_message("ping");
    EchoReply reply;
    const grpc::Status status = stub_->Echo(&context, request, &reply);
    CallResult result;
    result.code = status.error_code();
    if (status.ok()) {
      result.server = reply.server();
      EXPECT_EQ(reply.message(), "ping");
    } else {
      result.message = status.error_message();
    }
    return result;
  }

  // Calls until every backend in `wanted` has answered (true) or kConvergence passes (false).
  // The backends seen, and the last error, go to `seen` and `last_error`.
  static bool waitForReplies(const std::set<std::string>& wanted, std::set<std::string>& seen,
                             std::string& last_error) {
    seen.clear();
    return waitUntil(
        [&] {
          const CallResult result = call();
          if (result.code == grpc::StatusCode::OK) {
            seen.insert(result.server);
          } else {
            last_error = cat(static_cast<int>(result.code), ": ", result.message);
          }
          for (const std::string& name : wanted) {
            if (seen.count(name) == 0) {
              return false;
            }
          }
          return true;
        },
        kConvergence, absl::Milliseconds(5));
  }

  // Calls until `streak` consecutive calls were all answered by backends in `allowed` (true),
  // or kConvergence passes (false).
  static bool waitForOnly(const std::set<std::string>& allowed, int streak,
                          std::string& last_other) {
    int run = 0;
    return waitUntil(
        [&] {
          const CallResult result = call();
          if (result.code == grpc::StatusCode::OK && allowed.count(result.server) > 0) {
            ++run;
          } else {
            run = 0;
            last_other = result.code == grpc::StatusCode::OK
                             ? cat("answered by ", result.server)
                             : cat(static_cast<int>(result.code), ": ", result.message);
          }
          return run >= streak;
        },
        kConvergence, absl::Milliseconds(5));
  }

  static std::string setToString(const std::set<std::string>& names) {
    std::string out;
    for (const std::string& name : names) {
      out += out.empty() ? name : ", " + name;
    }
    return "{" + out + "}";
  }

  // Sum of every portico_cp_xds_nacks_total sample in /metrics (-1 if unreadable).
  static double nackTotal() {
    auto response = cp_->get("/metrics");
    if (!response.ok() || response->status != 200) {
      return -1;
    }
    double total = 0;
    bool found = false;
    size_t pos = 0;
    const std::string& body = response->body;
    while (pos < body.size()) {
      size_t end = body.find('\n', pos);
      if (end == std::string::npos) {
        end = body.size();
      }
      const std::string line = body.substr(pos, end - pos);
      pos = end + 1;
      if (line.rfind("portico_cp_xds_nacks_total", 0) == 0) {
        const size_t space = line.rfind(' ');
        total += std::stod(line.substr(space + 1));
        found = true;
      }
    }
    return found ? total : -1;
  }

  static std::string* dir_;
  static std::string* setup_error_;
  static std::string* node_id_;
  static ControlPlaneProcess* cp_;
  static std::map<std::string, Backend>* backends_;
  static std::set<std::string>* registered_;
  static std::shared_ptr<grpc::Channel> channel_;
  static std::unique_ptr<Echo::Stub> stub_;
};

std::string* XdsInteropTest::dir_ = nullptr;
std::string* XdsInteropTest::setup_error_ = nullptr;
std::string* XdsInteropTest::node_id_ = nullptr;
ControlPlaneProcess* XdsInteropTest::cp_ = nullptr;
std::map<std::string, Backend>* XdsInteropTest::backends_ = nullptr;
std::set<std::string>* XdsInteropTest::registered_ = nullptr;
std::shared_ptr<grpc::Channel> XdsInteropTest::channel_;
std::unique_ptr<Echo::Stub> XdsInteropTest::stub_;

// (a) Two registered backends: the xDS client finds both and round-robins between them.
TEST_F(XdsInteropTest, ReachesBothRegisteredServers) {
  ASSERT_TRUE(registerExactly({"echo-a", "echo-b"}));
  std::set<std::string> seen;
  std::string last_error;
  EXPECT_TRUE(waitForReplies({"echo-a", "echo-b"}, seen, last_error))
      << "replies seen from " << setToString(seen) << "; last error: " << last_error;
  EXPECT_EQ(seen, (std::set<std::string>{"echo-a", "echo-b"}));
}

// (b) A deregistered backend (still running) stops receiving traffic.
TEST_F(XdsInteropTest, DeregisteredServerStopsReceivingTraffic) {
  ASSERT_TRUE(registerExactly({"echo-a", "echo-b"}));
  std::set<std::string> seen;
  std::string last_error;
  ASSERT_TRUE(waitForReplies({"echo-a", "echo-b"}, seen, last_error))
      << "replies seen from " << setToString(seen) << "; last error: " << last_error;

  ASSERT_TRUE(registerExactly({"echo-a"}));
  std::string last_other;
  ASSERT_TRUE(waitForOnly({"echo-a"}, 20, last_other))
      << "traffic did not settle on echo-a; last other outcome: " << last_other;
  // Settled: every further call goes to echo-a.
  for (int i = 0; i < 20; ++i) {
    const CallResult result = call();
    EXPECT_EQ(result.code, grpc::StatusCode::OK) << result.message;
    EXPECT_EQ(result.server, "echo-a");
  }
}

// (c) A newly registered backend starts receiving traffic.
TEST_F(XdsInteropTest, NewlyRegisteredServerReceivesTraffic) {
  ASSERT_TRUE(registerExactly({"echo-a"}));
  std::string last_other;
  ASSERT_TRUE(waitForOnly({"echo-a"}, 5, last_other)) << "last other outcome: " << last_other;

  ASSERT_TRUE(registerExactly({"echo-a", "echo-c"}));
  std::set<std::string> seen;
  std::string last_error;
  EXPECT_TRUE(waitForReplies({"echo-a", "echo-c"}, seen, last_error))
      << "replies seen from " << setToString(seen) << "; last error: " << last_error;
  EXPECT_EQ(seen.count("echo-b"), 0u) << "the deregistered echo-b answered";
}

// (d) The control plane sees the gRPC client as a proxy that ACKed every type, NACKed none.
TEST_F(XdsInteropTest, ControlPlaneShowsClientAckedEverythingWithoutNacks) {
  ASSERT_TRUE(registerExactly({"echo-a", "echo-c"}));
  std::set<std::string> seen;
  std::string last_error;
  ASSERT_TRUE(waitForReplies({"echo-a", "echo-c"}, seen, last_error))
      << "replies seen from " << setToString(seen) << "; last error: " << last_error;

  // ACKs travel after the client applied a response: wait until every type is ACKed at the
  // version last sent.
  std::string last_body;
  std::string problem;
  const bool settled = waitUntil(
      [&] {
        auto response = cp_->get("/v1/proxies");
        if (!response.ok() || response->status != 200) {
          problem = "GET /v1/proxies failed";
          return false;
        }
        last_body = response->body;
        boost::system::error_code ec;
        json::value parsed = json::parse(last_body, ec);
        if (ec || !parsed.is_object() || !parsed.as_object().contains("proxies")) {
          problem = "unexpected /v1/proxies body";
          return false;
        }
        for (const json::value& proxy : parsed.as_object().at("proxies").as_array()) {
          const json::object& entry = proxy.as_object();
          if (json::value_to<std::string>(entry.at("node_id")) != *node_id_) {
            continue;
          }
          const json::object& types = entry.at("types").as_object();
          for (const char* type : {"lds", "rds", "cds", "eds"}) {
            const json::object& status = types.at(type).as_object();
            const std::string sent = json::value_to<std::string>(status.at("sent"));
            const std::string acked = json::value_to<std::string>(status.at("acked"));
            if (status.contains("last_nack")) {
              problem = cat(type, " NACKed: ", json::value_to<std::string>(status.at("last_nack")));
              return true;  // final: a NACK never goes away
            }
            if (acked.empty() || acked != sent) {
              problem = cat(type, " not ACKed at the version sent (sent \"", sent, "\", acked \"",
                            acked, "\")");
              return false;
            }
          }
          problem.clear();
          return true;
        }
        problem = cat("node \"", *node_id_, "\" not listed");
        return false;
      },
      absl::Seconds(10), absl::Milliseconds(100));
  EXPECT_TRUE(settled && problem.empty()) << problem << "\n/v1/proxies: " << last_body;
  EXPECT_EQ(nackTotal(), 0) << "portico_cp_xds_nacks_total is not 0";
}

// (e) Scale to zero (pitfall #13): with no instance, calls fail UNAVAILABLE and the client
// survives; with one instance again, calls succeed.
TEST_F(XdsInteropTest, ScaleToZeroAndBack) {
  ASSERT_TRUE(registerExactly({"echo-a"}));
  std::string last_other;
  ASSERT_TRUE(waitForOnly({"echo-a"}, 5, last_other)) << "last other outcome: " << last_other;

  ASSERT_TRUE(registerExactly({}));
  int failures = 0;
  CallResult last;
  const bool failing = waitUntil(
      [&] {
        last = call();
        failures = last.code == grpc::StatusCode::UNAVAILABLE ? failures + 1 : 0;
        return failures >= 5;
      },
      kConvergence, absl::Milliseconds(5));
  ASSERT_TRUE(failing) << "calls did not fail UNAVAILABLE with no instance; last call: code "
                       << static_cast<int>(last.code) << " " << last.message << " server "
                       << last.server;
  for (int i = 0; i < 5; ++i) {
    last = call();
    EXPECT_EQ(last.code, grpc::StatusCode::UNAVAILABLE)
        << last.message << " server " << last.server;
  }

  ASSERT_TRUE(registerExactly({"echo-b"}));
  std::set<std::string> seen;
  std::string last_error;
  EXPECT_TRUE(waitForReplies({"echo-b"}, seen, last_error))
      << "no reply after registering echo-b again; last error: " << last_error;
  EXPECT_TRUE(waitForOnly({"echo-b"}, 10, last_other)) << "last other outcome: " << last_other;
  EXPECT_EQ(nackTotal(), 0) << "portico_cp_xds_nacks_total is not 0";
}

}  // namespace
}  // namespace portico::testing

// The control plane's admin token, end to end: a real portico-cp started with
// --admin_token_file. Every REST/admin endpoint but the health probes and /metrics answers 401
// (with a WWW-Authenticate challenge) without the token or with a wrong one, and changes
// nothing; with the token it works. porticoctl (--token, $PORTICO_TOKEN), echo-backend
// (--token_file) and gRPC registry clients (authorization metadata) get in with it.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "portico/registry/v1/registry.grpc.pb.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"
#include "tests/support/tool_run.h"

namespace portico::testing {
namespace {

namespace json = boost::json;
namespace v1 = portico::registry::v1;

constexpr char kToken[] = "0d3f9c2a7b61e5480d3f9c2a7b61e548";
constexpr char kWrongToken[] = "ffffffffffffffffffffffffffffffff";

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Call {
  std::string method;
  std::string target;
  std::string body;
  int status_with_token;  // what the endpoint answers once authorized
};

// Every protected endpoint, in an order where each authorized call succeeds.
const std::vector<Call>& protectedCalls() {
  static const std::vector<Call> calls = {
      {"PUT", "/v1/services/orders/instances/o-1", R"({"address": "127.0.0.1", "port": 9001})", 201},
      {"POST", "/v1/services/orders/instances/o-1/heartbeat", "", 200},
      {"GET", "/v1/services", "", 200},
      {"GET", "/v1/services/orders", "", 200},
      {"DELETE", "/v1/services/orders/instances/o-1", "", 200},
      {"GET", "/v1/config_dump", "", 200},
      {"GET", "/v1/config_dump?group=default", "", 200},
      {"GET", "/v1/proxies", "", 200},
      {"GET", "/v1/config/status", "", 200},
      {"POST", "/v1/jwt/revocations", R"({"jti": "t-1"})", 201},
      {"GET", "/v1/jwt/revocations", "", 200},
      {"DELETE", "/v1/jwt/revocations/t-1", "", 200},
      {"GET", "/v1/no-such-endpoint", "", 404},
      {"HEAD", "/v1/services", "", 200},
  };
  return calls;
}

class CpAdminTokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ControlPlaneProcess::Options options;
    options.config_yaml = cat("version: 1\n", "listeners:\n", "  - { name: public, address: 127.0.0.1, port: ",
                              pickFreePort(), " }\n");
    options.admin_token = kToken;
    auto cp = ControlPlaneProcess::start(options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = cp->release();
  }
  static void TearDownTestSuite() {
    delete cp_;
    cp_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cp_, nullptr) << "portico-cp did not start"; }
  void TearDown() override {
    if (HasFailure() && cp_ != nullptr) {
      std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(6000) << "\n";
    }
  }

  static absl::StatusOr<http::ClientResponse> send(const Call& call, const std::string& authorization) {
    http::ClientRequest request;
    request.method = call.method;
    request.target = call.target;
    request.body = call.body;
    if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
    return cp_->send(request);
  }

  static ToolRun ctl(std::vector<std::string> args, ToolEnv env = {}) {
    args.insert(args.begin(), cat("--cp=127.0.0.1:", cp_->adminPort()));
    env.unset.push_back("PORTICO_CP");
    if (std::find_if(env.set.begin(), env.set.end(),
                     [](const std::string& e) { return e.rfind("PORTICO_TOKEN=", 0) == 0; }) == env.set.end()) {
      env.unset.push_back("PORTICO_TOKEN");
    }
    return runTool(binaryPath("porticoctl"), args, env);
  }

  static bool registered(const std::string& service) {
    auto response = cp_->get(cat("/v1/services/", service));
    return response.ok() && response->status == 200;
  }

  static ControlPlaneProcess* cp_;
};

ControlPlaneProcess* CpAdminTokenTest::cp_ = nullptr;

std::string header(const http::ClientResponse& response, std::string_view name) {
  const std::string* value = response.header(name);
  return value == nullptr ? "" : *value;
}

TEST_F(CpAdminTokenTest, EveryProtectedEndpointNeedsTheToken) {
  for (const Call& call : protectedCalls()) {
    const std::string what = cat(call.method, " ", call.target);
    for (const std::string& authorization :
         {std::string(), cat("Bearer ", kWrongToken), cat("Basic ", kToken), std::string(kToken)}) {
      auto refused = send(call, authorization);
      ASSERT_TRUE(refused.ok()) << what << ": " << refused.status();
      EXPECT_EQ(refused->status, 401) << what << " with '" << authorization << "': " << refused->body;
      EXPECT_EQ(header(*refused, "www-authenticate").rfind("Bearer realm=\"portico\"", 0), 0u) << what;
      if (call.method != "HEAD") {
        EXPECT_EQ(json::parse(refused->body).at("error"), "unauthorized") << what;
      }
    }
    auto allowed = send(call, cat("Bearer ", kToken));
    ASSERT_TRUE(allowed.ok()) << what << ": " << allowed.status();
    EXPECT_EQ(allowed->status, call.status_with_token) << what << ": " << allowed->body;
  }
}

TEST_F(CpAdminTokenTest, RefusedWritesChangeNothing) {
  auto put = send({"PUT", "/v1/services/sneaky/instances/s-1", R"({"address": "10.9.9.9", "port": 80})", 0}, "");
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->status, 401);
  EXPECT_FALSE(registered("sneaky")) << "an unauthenticated registration must not land";
  auto revoke = send({"POST", "/v1/jwt/revocations", R"({"jti": "sneaky"})", 0}, cat("Bearer ", kWrongToken));
  ASSERT_TRUE(revoke.ok());
  EXPECT_EQ(revoke->status, 401);
  auto list = cp_->get("/v1/jwt/revocations");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(json::parse(list->body).at("count"), 0);
}

TEST_F(CpAdminTokenTest, HealthProbesAndMetricsAreOpen) {
  ASSERT_EQ(send({"GET", "/v1/services", "", 0}, "")->status, 401);  // at least one refusal counted
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    auto response = send({"GET", path, "", 0}, "");
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200) << path << ": " << response->body;
  }
  const std::string metrics = send({"GET", "/metrics", "", 0}, "")->body;
  EXPECT_NE(metrics.find("portico_cp_admin_unauthorized_total{reason=\"missing\"}"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("portico_cp_admin_unauthorized_total{reason=\"missing\"} 0"), std::string::npos);
}

TEST_F(CpAdminTokenTest, MetricsCanRequireTheTokenToo) {
  ControlPlaneProcess::Options options;
  options.admin_token = kToken;
  options.config_yaml = cat("version: 1\n", "listeners:\n", "  - { name: public, address: 127.0.0.1, port: ",
                            pickFreePort(), " }\n");
  options.extra_args = {"--metrics_require_token"};
  auto cp = ControlPlaneProcess::start(options);
  ASSERT_TRUE(cp.ok()) << cp.status();
  http::ClientRequest request;
  request.target = "/metrics";
  EXPECT_EQ((*cp)->send(request)->status, 401);
  EXPECT_EQ((*cp)->get("/metrics")->status, 200);
  request.target = "/healthz";
  EXPECT_EQ((*cp)->send(request)->status, 200);
}

TEST_F(CpAdminTokenTest, TokenFromTheEnvironment) {
  ControlPlaneProcess::Options options;
  options.config_yaml = cat("version: 1\n", "listeners:\n", "  - { name: public, address: 127.0.0.1, port: ",
                            pickFreePort(), " }\n");
  options.env = {cat("PORTICO_ADMIN_TOKEN=", kToken, "\n")};
  auto cp = ControlPlaneProcess::start(options);
  ASSERT_TRUE(cp.ok()) << cp.status();
  http::ClientRequest request;
  request.target = "/v1/services";
  EXPECT_EQ((*cp)->send(request)->status, 401);
  request.headers.emplace_back("Authorization", cat("Bearer ", kToken));
  EXPECT_EQ((*cp)->send(request)->status, 200);
}

TEST_F(CpAdminTokenTest, WeakTokenStopsStartUp) {
  const std::string dir = makeTempDir("portico-weak-token");
  writeFile(dir + "/token", "letmein\n");
  auto process = Process::start(binaryPath("portico-cp"),
                                {"--xds_address=127.0.0.1", cat("--xds_port=", pickFreePort()),
                                 "--admin_address=127.0.0.1", cat("--admin_port=", pickFreePort()),
                                 cat("--admin_token_file=", dir, "/token")},
                                dir + "/cp.log");
  ASSERT_TRUE(process.ok());
  ASSERT_TRUE(waitUntil([&] { return !(*process)->running(); }, absl::Seconds(10)));
  EXPECT_NE((*process)->stop(), 0);
  EXPECT_NE((*process)->logTail().find(cat("--admin_token_file=", dir, "/token: the token has 7 characters; use at "
                                                                       "least 16")),
            std::string::npos)
      << (*process)->logTail();
}

TEST_F(CpAdminTokenTest, PorticoctlSendsTheToken) {
  const ToolRun by_flag =
      ctl({cat("--token=", kToken), "register", "ctl", "c-1", "--address=127.0.0.1", "--port=9002"});
  EXPECT_EQ(by_flag.exit_code, 0) << by_flag.err;
  EXPECT_TRUE(registered("ctl"));
  const ToolRun by_env = ctl({"services", "ctl"}, {{cat("PORTICO_TOKEN=", kToken)}, {}});
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
  EXPECT_NE(by_env.out.find("c-1"), std::string::npos) << by_env.out;

  const ToolRun none = ctl({"services"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("(HTTP 401 from GET /v1/services)"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("pass --token=TOKEN or set PORTICO_TOKEN"), std::string::npos) << none.err;
  const ToolRun wrong = ctl({"services"}, {{cat("PORTICO_TOKEN=", kWrongToken)}, {}});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("is not the control plane's admin token"), std::string::npos) << wrong.err;
  const ToolRun cleanup = ctl({cat("--token=", kToken), "deregister", "ctl", "c-1"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
}

TEST_F(CpAdminTokenTest, EchoBackendRegistersWithTheToken) {
  const std::string dir = makeTempDir("portico-echo-token");
  writeFile(dir + "/token", cat(kToken, "\n"));
  auto with_token = EchoBackend::start(
      {"tok-1", cat("127.0.0.1:", cp_->adminPort()), "echo-with-token", 10, {cat("--token_file=", dir, "/token")}});
  ASSERT_TRUE(with_token.ok()) << with_token.status();
  auto without = EchoBackend::start({"anon-1", cat("127.0.0.1:", cp_->adminPort()), "echo-anonymous", 10, {}});
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_TRUE(waitUntil([] { return registered("echo-with-token"); }, absl::Seconds(10)));
  ASSERT_TRUE(waitUntil([&] { return readFile((*without)->process().logPath()).find("registration refused (HTTP 401)") !=
                                     std::string::npos; },
                        absl::Seconds(10)))
      << readFile((*without)->process().logPath());
  EXPECT_FALSE(registered("echo-anonymous"));
  (*with_token)->stop();  // deregisters, with the token
  EXPECT_TRUE(waitUntil([] { return !registered("echo-with-token"); }, absl::Seconds(10)));
}

TEST_F(CpAdminTokenTest, GrpcRegistryNeedsTheTokenInMetadata) {
  auto channel = grpc::CreateChannel(cp_->xdsAddress(), grpc::InsecureChannelCredentials());
  auto stub = v1::Registry::NewStub(channel);
  auto list = [&stub](const std::string& authorization) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    v1::ListResponse response;
    return stub->List(&context, v1::ListRequest(), &response);
  };
  const grpc::Status missing = list("");
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(missing.error_message(), "the registry needs the admin token: send metadata authorization: Bearer <token>");
  EXPECT_EQ(list(cat("Bearer ", kWrongToken)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(list(cat("Bearer ", kToken)).ok());

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::RegisterRequest request;
  request.mutable_instance()->set_service("grpc-sneaky");
  request.mutable_instance()->set_id("g-1");
  request.mutable_instance()->set_address("127.0.0.1");
  request.mutable_instance()->set_port(80);
  v1::RegisterResponse response;
  EXPECT_EQ(stub->Register(&context, request, &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(registered("grpc-sneaky"));
}

// Proxies authenticate with certificates (cp_mtls_test), not with the admin token: ADS stays
// open to them on a control plane with a token but without --grpc_client_ca.
TEST_F(CpAdminTokenTest, AdsIsNotBehindTheAdminToken) {
  ProxyProcess::Options options;
  options.xds_address = cp_->xdsAddress();
  options.node_id = "token-test-proxy";
  options.workers = 1;
  auto proxy = ProxyProcess::start(options);
  ASSERT_TRUE(proxy.ok()) << proxy.status();
}

}  // namespace
}  // namespace portico::testing

// grpc-echo-server: a plain gRPC backend for the proxyless xDS interop test. Serves
// portico.testing.v1.Echo on 127.0.0.1 and answers with its --name, so a test can tell which
// backend the xDS client picked.
//
//   grpc-echo-server --name=a --port=0
//
// Prints "listening on 127.0.0.1:PORT" (the bound port, also when --port=0 picked one) to
// stdout once it accepts calls; exits cleanly on SIGTERM or SIGINT.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "proto/echo.grpc.pb.h"

ABSL_FLAG(std::string, name, "echo", "Name this server puts into every reply");
ABSL_FLAG(int, port, 0, "Port on 127.0.0.1; 0 picks a free one");

namespace {

class EchoService final : public portico::testing::v1::Echo::Service {
 public:
  explicit EchoService(std::string name) : name_(std::move(name)) {}

  grpc::Status Echo(grpc::ServerContext* context, const portico::testing::v1::EchoRequest* request,
                    portico::testing::v1::EchoReply* reply) override {
    reply->set_server(name_);
    reply->set_message(request->message());
    return grpc::Status::OK;
  }

 private:
  const std::string name_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string name = absl::GetFlag(FLAGS_name);
  const int port = absl::GetFlag(FLAGS_port);
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "--port must be in [0, 65535]\n");
    return 2;
  }

  // Block the signals we wait for before gRPC starts its threads.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  EchoService service(name);
  int bound_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                           &bound_port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    std::fprintf(stderr, "grpc-echo-server %s: cannot listen on 127.0.0.1:%d\n", name.c_str(),
                 port);
    return 1;
  }
  std::printf("grpc-echo-server %s listening on 127.0.0.1:%d\n", name.c_str(), bound_port);
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  return 0;
}

#include "tests/support/scripted_http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace portico::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

struct ScriptedHttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Handler handler;
};

namespace {

asio::awaitable<void> serve(tcp::socket socket, ScriptedHttpServer::Handler& handler,
                            std::function<void(const ScriptedHttpServer::Request&)> record) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);  // tests send bodies larger than Beast's default 1 MiB
    boost::system::error_code ec;
    co_await bhttp::async_read(socket, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    ScriptedHttpServer::Request request = parser.release();
    record(request);
    ScriptedHttpServer::Answer answer = handler(request);
    if (answer.delay.count() > 0) {
      asio::steady_timer timer(socket.get_executor(), answer.delay);
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (answer.close_without_answer) co_return;
    if (!answer.raw.empty()) {
      co_await asio::async_write(socket, asio::buffer(answer.raw), asio::redirect_error(asio::use_awaitable, ec));
    } else {
      answer.response.version(11);
      answer.response.keep_alive(request.keep_alive());
      co_await bhttp::async_write(socket, answer.response, asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec || answer.close_after || !request.keep_alive()) break;
  }
  // FIN after everything written (a plain close could turn into a reset and lose the tail).
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> ScriptedHttpServer::start(Handler handler) {
  std::unique_ptr<ScriptedHttpServer> server(new ScriptedHttpServer());
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  impl.handler = std::move(handler);
  boost::system::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::InternalError("scripted server: " + ec.message());
  server->port_ = impl.acceptor.local_endpoint().port();
  ScriptedHttpServer* self = server.get();
  asio::co_spawn(
      impl.io,
      [self]() -> asio::awaitable<void> {
        for (;;) {
          boost::system::error_code accept_ec;
          tcp::socket socket = co_await self->impl_->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, accept_ec));
          if (accept_ec) co_return;
          self->connections_.fetch_add(1);
          asio::co_spawn(self->impl_->io,
                         serve(std::move(socket), self->impl_->handler,
                               [self](const Request& request) {
                                 std::lock_guard lock(self->mu_);
                                 self->requests_.push_back(request);
                                 self->count_.fetch_add(1);
                               }),
                         asio::detached);
        }
      },
      asio::detached);
  server->thread_ = std::thread([self] { self->impl_->io.run(); });
  return server;
}

std::vector<ScriptedHttpServer::Request> ScriptedHttpServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void ScriptedHttpServer::stop() {
  if (!thread_.joinable()) return;
  impl_->io.stop();
  thread_.join();
}

ScriptedHttpServer::~ScriptedHttpServer() { stop(); }

ScriptedHttpServer::Response scriptedResponse(unsigned status, std::string body,
                                              std::vector<std::pair<std::string, std::string>> headers) {
  ScriptedHttpServer::Response response{static_cast<bhttp::status>(status), 11};
  for (const auto& [name, value] : headers) response.insert(name, value);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace portico::testing

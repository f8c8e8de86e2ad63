// WsServer against a Beast client in the test: RpcHandler calls, frame order, HTTP page and errors, shutdown.
#include "server/net/ws_server.hpp"

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/runtime.hpp"

namespace medley::server::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kPage = "<!DOCTYPE html><title>test page</title>";

struct Event {
  std::string kind;  // open, text, close
  uint64_t peer = 0;
  std::string text;
};

// Records every call; answers each text frame with "echo:<text>" through the peer, and "throw" with an exception.
class RecordingHandler : public kurento::RpcHandler {
 public:
  void on_open(const std::shared_ptr<kurento::RpcPeer>& peer) override {
    EXPECT_THAT(peer->remote_address(), HasSubstr("127.0.0.1:"));
    record({"open", peer->id(), ""}, peer);
  }
  void on_text(const std::shared_ptr<kurento::RpcPeer>& peer, std::string_view text) override {
    record({"text", peer->id(), std::string(text)}, peer);
    if (text == "throw") throw std::runtime_error("handler bug");
    if (text == "silent") return;
    peer->send_text("echo:" + std::string(text));
  }
  void on_close(const std::shared_ptr<kurento::RpcPeer>& peer) override { record({"close", peer->id(), ""}, peer); }

  // Waits until `n` events were recorded; returns them all.
  std::vector<Event> wait_events(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return events_.size() >= n; });
    return events_;
  }
  std::shared_ptr<kurento::RpcPeer> last_peer() {
    std::lock_guard lock(mu_);
    return last_peer_;
  }

 private:
  void record(Event e, const std::shared_ptr<kurento::RpcPeer>& peer) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
    last_peer_ = peer;
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
  std::shared_ptr<kurento::RpcPeer> last_peer_;
};

class WsServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start_server({}); }
  void TearDown() override {
    if (server_) server_->stop();
    runtime_->shutdown(5s);
  }

  void start_server(WsServerOptions o) {
    o.address = "127.0.0.1";
    o.port = 0;
    o.index_html = kPage;
    handler_ = std::make_shared<RecordingHandler>();
    runtime_ = std::make_unique<Runtime>(2);
    server_ = std::make_unique<WsServer>(runtime_->io(), o, handler_);
    server_->start();
    ASSERT_NE(server_->port(), 0);
    runtime_->start();
  }

  void restart_server(WsServerOptions o) {
    server_->stop();
    runtime_->shutdown(5s);
    server_.reset();
    start_server(std::move(o));
  }

  std::unique_ptr<websocket::stream<tcp::socket>> connect_ws(const std::string& path = "/kurento") {
    auto ws = std::make_unique<websocket::stream<tcp::socket>>(client_io_);
    ws->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    ws->handshake("127.0.0.1", path);
    ws->text(true);
    return ws;
  }

  static std::string read_text(websocket::stream<tcp::socket>& ws) {
    beast::flat_buffer buf;
    ws.read(buf);
    EXPECT_TRUE(ws.got_text());
    return beast::buffers_to_string(buf.data());
  }

  tcp::socket connect_raw() {
    tcp::socket s(client_io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return s;
  }

  http::response<http::string_body> http_request(http::verb verb, const std::string& target) {
    auto s = connect_raw();
    http::request<http::empty_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(false);
    http::write(s, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    if (verb == http::verb::head) parser.skip(true);
    http::read(s, buf, parser);
    return parser.release();
  }

  asio::io_context client_io_;
  std::shared_ptr<RecordingHandler> handler_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<WsServer> server_;
};

TEST_F(WsServerTest, OpenTextCloseReachTheHandlerInOrder) {
  auto ws = connect_ws();
  ws->write(asio::buffer(std::string("hello")));
  EXPECT_EQ(read_text(*ws), "echo:hello");
  ws->write(asio::buffer(std::string("{\"jsonrpc\":\"2.0\"}")));
  EXPECT_EQ(read_text(*ws), "echo:{\"jsonrpc\":\"2.0\"}");
  ws->close(websocket::close_code::normal);

  const auto events = handler_->wait_events(4);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].kind, "open");
  EXPECT_EQ(events[1].kind, "text");
  EXPECT_EQ(events[1].text, "hello");
  EXPECT_EQ(events[2].text, "{\"jsonrpc\":\"2.0\"}");
  EXPECT_EQ(events[3].kind, "close");
  for (const auto& e : events) EXPECT_EQ(e.peer, events[0].peer);
}

TEST_F(WsServerTest, HundredPipelinedFramesAnsweredInOrder) {
  auto ws = connect_ws();
  for (int i = 0; i < 100; ++i) ws->write(asio::buffer("frame " + std::to_string(i)));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(read_text(*ws), "echo:frame " + std::to_string(i));
  const auto events = handler_->wait_events(101);
  ASSERT_EQ(events.size(), 101u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(events[i + 1].text, "frame " + std::to_string(i));
}

TEST_F(WsServerTest, SendTextFromOtherThreadsKeepsEachThreadsOrder) {
  auto ws = connect_ws();
  ws->write(asio::buffer(std::string("silent")));
  handler_->wait_events(2);
  auto peer = handler_->last_peer();
  ASSERT_TRUE(peer);
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([peer, t] {
      for (int i = 0; i < kPerThread; ++i) peer->send_text(std::to_string(t) + ":" + std::to_string(i));
    });
  }
  for (auto& th : threads) th.join();
  int next[3] = {0, 0, 0};
  for (int n = 0; n < 3 * kPerThread; ++n) {
    const auto text = read_text(*ws);
    const int t = text[0] - '0';
    ASSERT_GE(t, 0);
    ASSERT_LT(t, 3);
    ASSERT_EQ(text, std::to_string(t) + ":" + std::to_string(next[t])) << "frames of one thread out of order";
    ++next[t];
  }
}

TEST_F(WsServerTest, LargeMessagesUpToTheLimit) {
  auto ws = connect_ws();
  const std::string big(1u << 20, 'x');
  ws->write(asio::buffer(big));
  EXPECT_EQ(read_text(*ws), "echo:" + big);
}

TEST_F(WsServerTest, OversizedMessageClosesOnlyThatConnection) {
  WsServerOptions o;
  o.max_message_size = 1024;
  restart_server(o);
  auto bad = connect_ws();
  auto good = connect_ws();
  bad->write(asio::buffer(std::string(4096, 'y')));
  beast::flat_buffer buf;
  beast::error_code ec;
  bad->read(buf, ec);
  EXPECT_TRUE(ec);  // closed, or a broken pipe when our close reply meets the already closed socket
  EXPECT_EQ(bad->reason().code, websocket::close_code::too_big);
  good->write(asio::buffer(std::string("still here")));
  EXPECT_EQ(read_text(*good), "echo:still here");
}

TEST_F(WsServerTest, HandlerExceptionDoesNotDropTheConnection) {
  auto ws = connect_ws();
  ws->write(asio::buffer(std::string("throw")));
  ws->write(asio::buffer(std::string("after")));
  EXPECT_EQ(read_text(*ws), "echo:after");
}

TEST_F(WsServerTest, ManyConnectionsHaveDistinctPeerIds) {
  std::vector<std::unique_ptr<websocket::stream<tcp::socket>>> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(connect_ws());
  for (auto& c : clients) c->write(asio::buffer(std::string("x")));
  for (auto& c : clients) EXPECT_EQ(read_text(*c), "echo:x");
  const auto events = handler_->wait_events(10);
  std::set<uint64_t> ids;
  for (const auto& e : events) {
    if (e.kind == "open") ids.insert(e.peer);
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(server_->connection_count(), 5u);
}

TEST_F(WsServerTest, HttpGetRootServesThePage) {
  auto res = http_request(http::verb::get, "/");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res.body(), kPage);
  auto with_query = http_request(http::verb::get, "/?autostart");
  EXPECT_EQ(with_query.result(), http::status::ok);
  auto head = http_request(http::verb::head, "/");
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_EQ(head[http::field::content_length], std::to_string(std::string_view(kPage).size()));
}

TEST_F(WsServerTest, HttpOtherPathsAndMethods) {
  EXPECT_EQ(http_request(http::verb::get, "/nope").result(), http::status::not_found);
  EXPECT_EQ(http_request(http::verb::get, "/favicon.ico").result(), http::status::not_found);
  EXPECT_EQ(http_request(http::verb::get, "/kurento").result(), http::status::upgrade_required);
  EXPECT_EQ(http_request(http::verb::post, "/").result(), http::status::method_not_allowed);
  // A WebSocket upgrade on another path is refused.
  EXPECT_THROW(connect_ws("/other"), beast::system_error);
  // Several requests on one keep-alive connection.
  auto s = connect_raw();
  beast::flat_buffer buf;
  for (int i = 0; i < 3; ++i) {
    http::request<http::empty_body> req{http::verb::get, i == 1 ? "/x" : "/", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(s, req);
    http::response<http::string_body> res;
    http::read(s, buf, res);
    EXPECT_EQ(res.result(), i == 1 ? http::status::not_found : http::status::ok);
  }
}

TEST_F(WsServerTest, MalformedHttpGets400AndServerStaysUp) {
  for (const std::string& garbage : {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.Z\r\n\r\n"),
                                    std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
                                    std::string("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n")}) {
    auto s = connect_raw();
    asio::write(s, asio::buffer(garbage));
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(s, buf, res, ec);
    if (!ec) {
      EXPECT_EQ(res.result(), http::status::bad_request) << garbage;
    }
  }
  {
    // A request cut off half-way, then the client goes away.
    auto s = connect_raw();
    asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\nHo")));
  }
  {
    // Headers past the limit.
    auto s = connect_raw();
    std::string req = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
    beast::error_code ec;
    asio::write(s, asio::buffer(req), ec);
  }
  EXPECT_EQ(http_request(http::verb::get, "/").result(), http::status::ok);
  auto ws = connect_ws();
  ws->write(asio::buffer(std::string("ok")));
  EXPECT_EQ(read_text(*ws), "echo:ok");
}

TEST_F(WsServerTest, StopClosesConnectionsAndShutdownJoins) {
  auto ws = connect_ws();
  ws->write(asio::buffer(std::string("hi")));
  EXPECT_EQ(read_text(*ws), "echo:hi");
  auto idle_http = connect_raw();  // an HTTP connection that never sends a request

  server_->stop();
  // The client answers the server's close frame (Beast's read does it), as browsers do.
  beast::flat_buffer buf;
  beast::error_code ec;
  ws->read(buf, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(ws->reason().code, websocket::close_code::going_away);
  char c;
  idle_http.read_some(asio::buffer(&c, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();

  const auto before = std::chrono::steady_clock::now();
  runtime_->shutdown(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 4s) << "shutdown waited for its grace period";
  const auto events = handler_->wait_events(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].kind, "close");
  EXPECT_EQ(server_->connection_count(), 0u);
  // No new connections after stop.
  tcp::socket s(client_io_);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_TRUE(ec);
}

TEST_F(WsServerTest, ShutdownWithUnresponsiveClientEndsAfterGrace) {
  auto raw = connect_raw();
  // A WebSocket handshake whose client then never reads or answers the close frame.
  auto ws = connect_ws();
  (void)raw;
  server_->stop();
  const auto before = std::chrono::steady_clock::now();
  runtime_->shutdown(1s);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 3s);
}

TEST(WsServer, BindFailureThrows) {
  Runtime rt(1);
  auto handler = std::make_shared<RecordingHandler>();
  WsServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  WsServer first(rt.io(), o, handler);
  first.start();
  o.port = first.port();
  WsServer second(rt.io(), o, handler);
  EXPECT_THROW(second.start(), boost::system::system_error);
  WsServerOptions bad;
  bad.address = "not-an-address";
  WsServer third(rt.io(), bad, handler);
  EXPECT_THROW(third.start(), boost::system::system_error);
}

}  // namespace
}  // namespace medley::server::net

// WsServer: a listener, HTTP sessions (demo page, 404s, upgrades) and WebSocket sessions, each on its own strand.
#include "server/net/ws_server.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "server/log.hpp"

namespace medley::server::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr const char* kServerName = "medley";

// Beast 1.74 speaks boost::string_view only.
beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }
std::atomic<uint64_t> g_next_connection_id{1};

std::string endpoint_text(const tcp::socket& socket) {
  error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  const auto addr = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + addr + "]" : addr) + ":" + std::to_string(ep.port());
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// What the server must be able to close on stop().
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void close_for_shutdown() = 0;
};

}  // namespace

struct WsServer::Shared {
  Shared(asio::io_context& io_, WsServerOptions options_, std::shared_ptr<kurento::RpcHandler> handler_)
      : io(io_), options(std::move(options_)), handler(std::move(handler_)), acceptor(asio::make_strand(io_)) {}

  void add(uint64_t id, const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mu);
    live[id] = c;
  }
  void remove(uint64_t id) {
    std::lock_guard lock(mu);
    live.erase(id);
  }

  asio::io_context& io;
  const WsServerOptions options;
  const std::shared_ptr<kurento::RpcHandler> handler;
  tcp::acceptor acceptor;  // used only on its own strand once start() returned
  std::shared_ptr<spdlog::logger> log = log::get("ws");
  std::atomic<bool> stopping{false};
  mutable std::mutex mu;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> live;
};

namespace {

using Shared = WsServer::Shared;

// ---- WebSocket session and the RpcPeer the handler holds.

class WsSession;

// What the RPC layer keeps: it refers to the session weakly, so a handler that holds peers (sessions waiting for a
// reconnect, say) never keeps a finished connection, its socket and its timers alive.
class PeerHandle final : public kurento::RpcPeer {
 public:
  PeerHandle(uint64_t id, std::string remote, std::weak_ptr<WsSession> session)
      : id_(id), remote_(std::move(remote)), session_(std::move(session)) {}
  void send_text(std::string text) override;
  uint64_t id() const override { return id_; }
  std::string remote_address() const override { return remote_; }

 private:
  const uint64_t id_;
  const std::string remote_;
  const std::weak_ptr<WsSession> session_;
};

class WsSession final : public Connection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)),
        id_(g_next_connection_id++),
        remote_(endpoint_text(socket)),
        strand_(socket.get_executor()),
        ws_(std::move(socket)) {}

  ~WsSession() override { shared_->remove(id_); }

  void run(http::request<http::string_body> req) {
    shared_->add(id_, shared_from_this());
    peer_ = std::make_shared<PeerHandle>(id_, remote_, weak_from_this());
    const auto& o = shared_->options;
    ws_.set_option(websocket::stream_base::timeout{o.handshake_timeout, o.idle_timeout, /*keep_alive_pings=*/true});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, kServerName); }));
    websocket::permessage_deflate pmd;  // off: JSON-RPC frames are small and compression costs CPU per frame
    pmd.server_enable = false;
    pmd.client_enable = false;
    ws_.set_option(pmd);
    ws_.read_message_max(o.max_message_size);
    ws_.auto_fragment(false);
    ws_.text(true);
    ws_.async_accept(req, [self = shared_from_this()](error_code ec) { self->on_accept(ec); });
    if (shared_->stopping) close_for_shutdown();
  }

  // From any thread; frames go out in the order of the calls.
  void send_text(std::string text) {
    asio::post(strand_, [self = shared_from_this(), text = std::move(text)]() mutable {
      self->enqueue(std::move(text));
    });
  }

  void close_for_shutdown() override {
    asio::post(strand_, [self = shared_from_this()] { self->start_close(websocket::close_code::going_away); });
  }

 private:
  void on_accept(error_code ec) {
    if (ec) {
      shared_->log->debug("ws #{} {}: handshake failed: {}", id_, remote_, ec.message());
      finish();
      return;
    }
    open_ = true;
    shared_->log->info("ws #{} {}: connected", id_, remote_);
    guarded("on_open", [&] { shared_->handler->on_open(peer_); });
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) {
      if (ec == websocket::error::closed) {
        shared_->log->info("ws #{} {}: closed by peer ({})", id_, remote_, ws_.reason().reason.c_str());
      } else if (ec != asio::error::operation_aborted) {
        shared_->log->info("ws #{} {}: read ended: {}", id_, remote_, ec.message());
      }
      finish();
      return;
    }
    const auto data = buffer_.cdata();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    guarded("on_text", [&] { shared_->handler->on_text(peer_, text); });
    buffer_.consume(buffer_.size());
    if (!finished_) do_read();
  }

  void enqueue(std::string text) {
    if (finished_ || closing_) return;
    queued_bytes_ += text.size();
    if (queued_bytes_ > shared_->options.max_queued_bytes) {
      shared_->log->warn("ws #{} {}: {} bytes waiting to be sent; closing the slow connection", id_, remote_,
                         queued_bytes_);
      queue_.clear();
      queued_bytes_ = 0;
      start_close(websocket::close_code::policy_error);
      return;
    }
    queue_.push_back(std::move(text));
    if (!writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = shared_from_this()](error_code ec, size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    writing_ = false;
    if (!queue_.empty()) {
      queued_bytes_ -= queue_.front().size();
      queue_.pop_front();
    }
    if (ec) {
      shared_->log->debug("ws #{} {}: write failed: {}", id_, remote_, ec.message());
      queue_.clear();
      queued_bytes_ = 0;
      return;  // the pending read fails too and finishes the session
    }
    if (close_pending_) {
      do_close();
    } else if (!queue_.empty()) {
      do_write();
    }
  }

  void start_close(websocket::close_code code) {
    if (closing_ || finished_) return;
    closing_ = true;
    close_code_ = code;
    if (!open_) {
      // Handshake still running: dropping the socket is the only way to end it.
      error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return;
    }
    close_pending_ = true;
    if (!writing_) do_close();
  }

  void do_close() {
    close_pending_ = false;
    queue_.clear();
    queued_bytes_ = 0;
    ws_.async_close(close_code_, [self = shared_from_this()](error_code ec) {
      if (ec) self->shared_->log->debug("ws #{} {}: close: {}", self->id_, self->remote_, ec.message());
      // The pending read completes next and finishes the session.
    });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    shared_->remove(id_);
    if (open_) guarded("on_close", [&] { shared_->handler->on_close(peer_); });
  }

  template <class F>
  void guarded(const char* what, F&& f) {
    // The RPC layer turns bad requests into JSON-RPC errors; an exception here is its bug, not the client's.
    try {
      f();
    } catch (const std::exception& e) {
      shared_->log->error("ws #{} {}: RpcHandler::{} threw: {}", id_, remote_, what, e.what());
    }
  }

  const std::shared_ptr<Shared> shared_;
  const uint64_t id_;
  const std::string remote_;
  const asio::any_io_executor strand_;
  std::shared_ptr<PeerHandle> peer_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_pending_ = false;
  bool finished_ = false;
  websocket::close_code close_code_ = websocket::close_code::normal;
};

void PeerHandle::send_text(std::string text) {
  if (auto session = session_.lock()) session->send_text(std::move(text));
}

// ---- HTTP session: serves the page, answers errors, hands upgrades on the RPC path to a WsSession.

class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)), id_(g_next_connection_id++), remote_(endpoint_text(socket)),
        stream_(std::move(socket)) {}

  ~HttpSession() override { shared_->remove(id_); }

  void run() {
    shared_->add(id_, shared_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  void close_for_shutdown() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closed_ = true;
      error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.close();
    });
  }

 private:
  void do_read() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(64 * 1024);
    stream_.expires_after(shared_->options.http_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec == http::error::end_of_stream || closed_) return close();
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
        shared_->log->debug("http #{} {}: bad request: {}", id_, remote_, ec.message());
        return send_error(http::status::bad_request, "Bad request\n");
      }
      return close();
    }
    auto req = parser_->release();
    const auto path = path_of(std::string_view(req.target().data(), req.target().size()));
    const auto method = req.method_string();
    if (websocket::is_upgrade(req)) {
      if (path != shared_->options.path) return respond(req, http::status::not_found, "text/plain", "Not found\n");
      // The WebSocket session takes the socket over; this HTTP session ends here.
      stream_.expires_never();
      shared_->remove(id_);
      std::make_shared<WsSession>(stream_.release_socket(), shared_)->run(std::move(req));
      return;
    }
    shared_->log->debug("http #{} {}: {} {}", id_, remote_, std::string_view(method.data(), method.size()), path);
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return respond(req, http::status::method_not_allowed, "text/plain", "Method not allowed\n");
    }
    if (path == "/" || path == "/index.html") {
      return respond(req, http::status::ok, "text/html; charset=utf-8", shared_->options.index_html);
    }
    if (path == shared_->options.path) {
      return respond(req, http::status::upgrade_required, "text/plain", "This is a WebSocket endpoint\n");
    }
    respond(req, http::status::not_found, "text/plain", "Not found\n");
  }

  void respond(const http::request<http::string_body>& req, http::status status, std::string_view type,
               std::string_view body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, req.version());
    res->set(http::field::server, kServerName);
    res->set(http::field::content_type, bsv(type));
    res->set(http::field::cache_control, "no-cache");
    if (status == http::status::method_not_allowed) res->set(http::field::allow, "GET, HEAD");
    res->keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) {
      res->content_length(body.size());
    } else {
      res->body() = std::string(body);
      res->prepare_payload();
    }
    write(std::move(res));
  }

  void send_error(http::status status, std::string_view body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::server, kServerName);
    res->set(http::field::content_type, "text/plain");
    res->keep_alive(false);
    res->body() = std::string(body);
    res->prepare_payload();
    write(std::move(res));
  }

  void write(std::shared_ptr<http::response<http::string_body>> res) {
    const bool keep = res->keep_alive();
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep](error_code ec, size_t) {
      if (ec || !keep) return self->close();
      self->do_read();
    });
  }

  void close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  const std::shared_ptr<Shared> shared_;
  const uint64_t id_;
  const std::string remote_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool closed_ = false;
};

void do_accept(const std::shared_ptr<Shared>& shared) {
  shared->acceptor.async_accept(asio::make_strand(shared->io), [shared](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || shared->stopping) return;
    if (ec) {
      // EMFILE and the like: keep accepting; the log says why clients are refused.
      shared->log->warn("accept failed: {}", ec.message());
    } else {
      // JSON-RPC is request/response plus events written right after a response: with Nagle's algorithm the
      // event would wait for the client's delayed ACK (40 ms on Linux), which every trickled candidate paid.
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<HttpSession>(std::move(socket), shared)->run();
    }
    do_accept(shared);
  });
}

}  // namespace

WsServer::WsServer(asio::io_context& io, WsServerOptions options, std::shared_ptr<kurento::RpcHandler> handler)
    : shared_(std::make_shared<Shared>(io, std::move(options), std::move(handler))) {}

WsServer::~WsServer() { stop(); }

const WsServerOptions& WsServer::options() const { return shared_->options; }

void WsServer::start() {
  auto& acc = shared_->acceptor;
  const tcp::endpoint ep(asio::ip::make_address(shared_->options.address), shared_->options.port);
  acc.open(ep.protocol());
  acc.set_option(asio::socket_base::reuse_address(true));
  acc.bind(ep);
  acc.listen(asio::socket_base::max_listen_connections);
  port_ = acc.local_endpoint().port();
  asio::post(acc.get_executor(), [shared = shared_] { do_accept(shared); });
}

void WsServer::stop() {
  if (shared_->stopping.exchange(true)) return;
  asio::post(shared_->acceptor.get_executor(), [shared = shared_] {
    error_code ignored;
    shared->acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(shared_->mu);
    for (auto& [id, weak] : shared_->live) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) c->close_for_shutdown();
}

size_t WsServer::connection_count() const {
  std::lock_guard lock(shared_->mu);
  size_t n = 0;
  for (auto& [id, weak] : shared_->live) n += weak.expired() ? 0 : 1;
  return n;
}

}  // namespace medley::server::net

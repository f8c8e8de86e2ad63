// WsClient and ReplyRouter: the WebSocket and request/reply plumbing under every signaling driver.
#include "bench/loadgen/ws_client.hpp"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket.hpp>

namespace medley::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using asio::use_awaitable;

WsUrl WsUrl::parse(const std::string& url) {
  constexpr std::string_view kScheme = "ws://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) {
    throw SignalingError("bad URL '" + url + "': only ws:// is supported");
  }
  std::string rest = url.substr(kScheme.size());
  WsUrl out;
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.target = rest.substr(slash);
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos) throw SignalingError("bad URL '" + url + "': unterminated IPv6 address");
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') throw SignalingError("bad URL '" + url + "'");
      out.port = authority.substr(close + 2);
    }
  } else {
    size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.port.empty()) throw SignalingError("bad URL '" + url + "': no host or port");
  return out;
}

std::shared_ptr<WsClient> WsClient::create(asio::io_context& io, WsClientOptions options) {
  return std::shared_ptr<WsClient>(new WsClient(io, std::move(options)));
}

WsClient::WsClient(asio::io_context& io, WsClientOptions options)
    : executor_(io.get_executor()), options_(std::move(options)), ws_(io.get_executor()) {}

WsClient::~WsClient() = default;

Awaitable<void> WsClient::connect(const std::string& url) {
  url_ = url;
  WsUrl u = WsUrl::parse(url);
  std::string step = "resolve";
  try {
    asio::ip::tcp::resolver resolver(executor_);
    auto endpoints = co_await resolver.async_resolve(u.host, u.port, use_awaitable);
    step = "connect";
    beast::get_lowest_layer(ws_).expires_after(options_.handshake_timeout);
    co_await beast::get_lowest_layer(ws_).async_connect(endpoints, use_awaitable);
    beast::get_lowest_layer(ws_).expires_never();  // the websocket's own timeouts take over
    beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true));

    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options_.handshake_timeout;
    timeouts.idle_timeout = options_.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    std::string subprotocol = options_.subprotocol;
    ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "medley-loadgen");
      if (!subprotocol.empty()) req.set(beast::http::field::sec_websocket_protocol, subprotocol);
    }));
    ws_.text(true);
    step = "WebSocket handshake";
    websocket::response_type response;
    co_await ws_.async_handshake(response, u.host + ":" + u.port, u.target, use_awaitable);
  } catch (const boost::system::system_error& e) {
    throw SignalingError(options_.name + ": " + step + " " + url + " failed: " + e.code().message());
  }
  open_ = true;
  asio::co_spawn(executor_, read_loop(shared_from_this()), asio::detached);
}

Awaitable<void> WsClient::read_loop([[maybe_unused]] std::shared_ptr<WsClient> self) {
  std::string why = "closed";
  try {
    beast::flat_buffer buffer;
    for (;;) {
      co_await ws_.async_read(buffer, use_awaitable);
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      if (on_message) on_message(std::move(text));
    }
  } catch (const boost::system::system_error& e) {
    if (e.code() == websocket::error::closed) {
      auto reason = ws_.reason();
      why = "closed by the server (code " + std::to_string(static_cast<int>(reason.code)) +
            (reason.reason.empty() ? std::string() : ", " + std::string(reason.reason.c_str())) + ")";
    } else {
      why = e.code().message();
    }
    if (closing_) why = "closed";
  } catch (const std::exception& e) {
    why = std::string("message handler failed: ") + e.what();
  }
  finish(why);
}

void WsClient::finish(const std::string& why) {
  if (finished_) return;
  finished_ = true;
  open_ = false;
  queue_.clear();
  auto handler = std::move(on_close);
  on_message = nullptr;  // drops whatever the handlers captured (drivers' state), breaking cycles
  on_close = nullptr;
  if (handler) handler(options_.name + " " + url_ + ": " + why);
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

Awaitable<void> WsClient::send(std::string text) {
  if (!open_ || closing_) throw SignalingError(options_.name + " " + url_ + ": send on a closed connection");
  queue_.push_back(std::move(text));
  if (writing_) co_return;  // the coroutine already writing drains the queue in order
  writing_ = true;
  auto self = shared_from_this();
  try {
    while (!queue_.empty() && open_) {
      std::string message = std::move(queue_.front());
      queue_.pop_front();
      co_await ws_.async_write(asio::buffer(message), use_awaitable);
    }
  } catch (const boost::system::system_error& e) {
    writing_ = false;
    queue_.clear();
    throw SignalingError(options_.name + " " + url_ + ": write failed: " + e.code().message());
  }
  writing_ = false;
}

Awaitable<void> WsClient::close() {
  if (!open_ || closing_) co_return;
  closing_ = true;
  auto self = shared_from_this();
  try {
    co_await ws_.async_close(websocket::close_code::normal, use_awaitable);
  } catch (const boost::system::system_error&) {
    // Already gone or the server did not answer the close: the socket is closed below either way.
  }
  finish("closed");
}

std::shared_ptr<ReplyRouter::Slot> ReplyRouter::expect(const std::string& key) {
  auto slot = std::make_shared<Slot>(executor_);
  slot->key = key;
  slots_[key] = slot;
  return slot;
}

Awaitable<nlohmann::json> ReplyRouter::wait(std::shared_ptr<Slot> slot, std::chrono::milliseconds timeout,
                                            std::string what) {
  if (!slot->reply && !slot->error) {
    slot->timer.expires_after(timeout);
    boost::system::error_code ec;
    co_await slot->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  auto it = slots_.find(slot->key);
  if (it != slots_.end() && it->second == slot) slots_.erase(it);
  if (slot->reply) co_return std::move(*slot->reply);
  if (slot->error) throw SignalingError(what + ": " + *slot->error);
  throw SignalingError(what + ": no reply within " + std::to_string(timeout.count()) + " ms");
}

bool ReplyRouter::deliver(const std::string& key, nlohmann::json message) {
  auto it = slots_.find(key);
  if (it == slots_.end()) return false;
  auto slot = it->second;
  slots_.erase(it);
  slot->reply = std::move(message);
  slot->timer.cancel();
  return true;
}

void ReplyRouter::fail_all(const std::string& why) {
  auto slots = std::move(slots_);
  slots_.clear();
  for (auto& [key, slot] : slots) {
    slot->error = why;
    slot->timer.cancel();
  }
}

std::optional<nlohmann::json> parse_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

}  // namespace medley::loadgen

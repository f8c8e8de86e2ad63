// The medley process: command line and config, logging, crash handler, worker threads, the WebSocket server.
#include <csignal>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "server/config.hpp"
#include "server/crash_handler.hpp"
#include "server/demo/demo_page.hpp"
#include "server/elements/register_elements.hpp"
#include "server/media/media_port.hpp"
#include "server/kurento/kurento_rpc.hpp"
#include "server/log.hpp"
#include "server/net/ws_server.hpp"
#include "server/runtime.hpp"

namespace medley::server {
namespace {

// Kurento's garbage collection of abandoned sessions, on the io_context: KurentoRpc says when the next grace period
// ends; a timer calls it then (and at least every garbage-collector period, in case a session closed meanwhile).
void schedule_expiry(boost::asio::steady_timer& timer, kurento::KurentoRpc& rpc, std::chrono::seconds period) {
  auto next = std::chrono::steady_clock::now() + period;
  if (auto due = rpc.next_timeout(); due && *due < next) next = *due;
  timer.expires_at(next);
  timer.async_wait([&timer, &rpc, period](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled at shutdown
    rpc.handle_timeout(std::chrono::steady_clock::now());
    schedule_expiry(timer, rpc, period);
  });
}

void log_settings(const MediaServerConfig& config, spdlog::logger& log) {
  for (const auto& file : config.files_read) log.info("Configuration file: {}", file.string());
  if (config.conf_dir.empty()) log.info("No configuration directory; using embedded defaults");
  for (const auto& warning : config.warnings) log.warn("{}", warning);
  // The same lines Kurento prints, so operators find the NAT traversal settings where they expect them.
  const auto& w = config.webrtc;
  if (!w.stun_server_address.empty()) {
    log.info("Using STUN reflexive server IP: {}", w.stun_server_address);
    log.info("Using STUN reflexive server Port: {}", w.stun_server_port);
  } else {
    log.info("No STUN server configured");
  }
  if (w.turn) {
    log.info("Using TURN relay server: {}", w.turn->to_string(/*with_password=*/false));
  } else {
    log.info("No TURN server configured");
  }
  if (!w.external_ipv4.empty()) log.info("Using external IPv4: {}", w.external_ipv4);
  if (!w.external_ipv6.empty()) log.info("Using external IPv6: {}", w.external_ipv6);
  if (!w.network_interfaces.empty()) log.info("Using network interfaces: {}", fmt::join(w.network_interfaces, ","));
  log.info("RTP port range {}..{}, MTU {}", config.rtp.min_port, config.rtp.max_port, config.rtp.mtu);
  log.info("Audio codecs: {}; video codecs: {}", fmt::join(config.sdp.audio_codecs, ", "),
           fmt::join(config.sdp.video_codecs, ", "));
}

int run(int argc, char** argv) {
  CommandLine cli;
  if (const auto exit_code = parse_command_line(argc, argv, cli)) return *exit_code;

  MediaServerConfig config;
  try {
    config = load_config(cli);
  } catch (const ConfigError& e) {
    fmt::print(stderr, "medley: {}\n", e.what());
    return 1;
  }

  log::Options log_options;
  if (const char* env = std::getenv("MEDLEY_LOG")) log_options.env_spec = env;
  log_options.cli_spec = config.logging.levels;
  log_options.log_dir = config.logging.log_dir;
  log_options.file_size_bytes = config.logging.file_size_mib << 20;
  log_options.file_count = config.logging.file_count;
  try {
    log::init(log_options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "medley: {}\n", e.what());
    return 1;
  }
  install_crash_handler(log::errors_log_path());
  // A peer that vanishes mid-write must cost an error code, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto log = log::get("main");
  log->info("Medley 0.1 (Kurento-compatible media server), pid {}", ::getpid());
  log_settings(config, *log);

  Runtime runtime(config.threads);
  kurento::KurentoRpcConfig rpc_config;
  // Kurento releases an abandoned session's objects after its garbage collector has seen it idle: we count the
  // configured period from the moment the socket closed.
  rpc_config.session_grace = config.garbage_collector_period;
  // The media port every WebRtcEndpoint shares, on the configured interfaces (all non-loopback ones by default).
  auto addresses = media::host_addresses(config.webrtc.network_interfaces);
  if (!addresses) {
    log->critical("networkInterfaces: {}", addresses.error());
    return 1;
  }
  for (auto& a : *addresses) a.set_port(config.rtp.media_port);
  auto port = media::MediaPort::open(runtime.io(), *addresses);
  if (!port) {
    log->critical("Cannot open the media port: {}", port.error());
    return 1;
  }
  // The port lives as long as the process: packets from its buffer pools sit in RTX histories and queued
  // handlers until the very end, so it is deliberately never destroyed (the OS closes its sockets).
  static media::MediaPort* const process_port = port->release();  // reachable: not a leak to LeakSanitizer
  media::MediaPort& media_port = *process_port;
  for (const auto& a : media_port.local_addresses()) log->info("Media (ICE host candidate) on UDP {}", a.to_string());
  auto media_context = elements::make_media_context(runtime.io(), media_port, config);
  if (!media_context) {
    log->critical("{}", media_context.error());
    return 1;
  }
  auto factory = std::make_shared<kurento::TypeFactory>();
  elements::register_media_types(*factory, *media_context);
  rpc_config.factory = factory;
  auto handler = std::make_shared<kurento::KurentoRpc>(rpc_config);
  boost::asio::steady_timer expiry(runtime.io());
  schedule_expiry(expiry, *handler, std::chrono::seconds(std::max<int64_t>(1, config.garbage_collector_period.count())));
  net::WsServerOptions ws_options;
  ws_options.address = config.websocket.address;
  ws_options.port = config.websocket.port;
  ws_options.path = config.websocket.path;
  ws_options.index_html = demo::demo_page_html(config.websocket.path);
  net::WsServer server(runtime.io(), ws_options, handler);
  try {
    server.start();
  } catch (const boost::system::system_error& e) {
    log->critical("Cannot listen on {}:{}: {}", config.websocket.address, config.websocket.port, e.code().message());
    return 1;
  }

  std::promise<int> stop_signal;
  boost::asio::signal_set signals(runtime.io(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (!ec) stop_signal.set_value(sig);
  });
  runtime.start();

  const bool any = config.websocket.address == "0.0.0.0" || config.websocket.address == "::";
  const auto shown = any ? std::string("localhost") : config.websocket.address;
  log->info("Worker threads: {}", runtime.thread_count());
  log->info("Medley listening on ws://{}:{}{}", config.websocket.address, server.port(), config.websocket.path);
  log->info("Demo page: http://{}:{}/", shown, server.port());

  const int sig = stop_signal.get_future().get();
  log->info("Signal {} received; shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  expiry.cancel();
  server.stop();
  media_port.close();
  runtime.shutdown(std::chrono::seconds(3));
  log->info("Stopped");
  log::shutdown();
  return 0;
}

}  // namespace
}  // namespace medley::server

int main(int argc, char** argv) { return medley::server::run(argc, argv); }

// MediaServerConfig loading: embedded defaults, Kurento's config files (JSON and INI), then CLI11 flags.
#include "server/config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace medley::server {
namespace {

using nlohmann::json;

constexpr std::string_view kKurentoConf = "kurento.conf.json";
constexpr std::string_view kWebRtcIni = "WebRtcEndpoint.conf.ini";
constexpr std::string_view kSdpJson = "SdpEndpoint.conf.json";
constexpr std::string_view kBaseRtpIni = "BaseRtpEndpoint.conf.ini";
constexpr std::string_view kMediaElementIni = "MediaElement.conf.ini";

[[noreturn]] void fail(std::string_view where, std::string_view key, std::string_view value,
                       std::string_view expected) {
  throw ConfigError(fmt::format("{}: {} = '{}': {}", where, key, value, expected));
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::optional<int64_t> to_int(std::string_view s) {
  s = trim(s);
  int64_t v = 0;
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

int64_t int_in_range(std::string_view where, std::string_view key, std::string_view value, int64_t lo, int64_t hi) {
  const auto v = to_int(value);
  if (!v || *v < lo || *v > hi) fail(where, key, value, fmt::format("expected an integer {}..{}", lo, hi));
  return *v;
}

bool to_bool(std::string_view where, std::string_view key, std::string_view value) {
  std::string v(trim(value));
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  fail(where, key, value, "expected a boolean (1, 0, true, false)");
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto item = trim(s.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

bool is_ipv4(std::string_view s) {
  boost::system::error_code ec;
  boost::asio::ip::make_address_v4(std::string(s), ec);
  return !ec;
}

bool is_ipv6(std::string_view s) {
  boost::system::error_code ec;
  boost::asio::ip::make_address_v6(std::string(s), ec);
  return !ec;
}

bool is_host(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (is_ipv4(s) || is_ipv6(s)) return true;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; });
}

std::string host_value(std::string_view where, std::string_view key, std::string_view value) {
  if (!is_host(value)) fail(where, key, value, "expected an IP address or a host name");
  return std::string(value);
}

std::string normalize_ws_path(std::string_view where, std::string_view key, std::string_view value) {
  std::string path(trim(value));
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  const bool ok = std::all_of(path.begin(), path.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
  });
  if (!ok) fail(where, key, value, "expected a URL path such as 'kurento' (letters, digits, '/', '-', '_', '.', '~')");
  return path;
}

bool valid_codec_name(std::string_view name) {
  // <encoding>/<clock rate>[/<channels>], as in SDP rtpmap (RFC 8866 section 6.6).
  const auto slash = name.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  const auto enc = name.substr(0, slash);
  if (!std::all_of(enc.begin(), enc.end(),
                   [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; })) {
    return false;
  }
  auto rest = name.substr(slash + 1);
  const auto slash2 = rest.find('/');
  const auto clock = to_int(rest.substr(0, slash2));
  if (!clock || *clock <= 0 || rest.substr(0, slash2) != trim(rest.substr(0, slash2))) return false;
  if (slash2 == std::string_view::npos) return true;
  const auto channels = to_int(rest.substr(slash2 + 1));
  return channels && *channels > 0 && *channels <= 255;
}

// ---- INI (Kurento's *.conf.ini: key=value lines, ';' or '#' comments, optional [section] headers ignored)

struct IniEntry {
  std::string key;
  std::string value;
};

std::vector<IniEntry> parse_ini(std::string_view file, std::string_view text) {
  std::vector<IniEntry> out;
  int line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == ';' || line.front() == '#' || line.front() == '[') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || trim(line.substr(0, eq)).empty()) {
      throw ConfigError(fmt::format("{}:{}: expected 'key=value', got '{}'", file, line_no, line));
    }
    auto value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out.push_back({std::string(trim(line.substr(0, eq))), std::string(value)});
  }
  return out;
}

void warn_unknown(std::string_view file, const std::string& key, std::initializer_list<std::string_view> known,
                  MediaServerConfig& config) {
  std::string list;
  for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
  config.warnings.push_back(fmt::format("{}: unknown key '{}' ignored (known: {})", file, key, list));
}

void apply_webrtc_ini(std::string_view text, MediaServerConfig& config) {
  auto& w = config.webrtc;
  const auto f = kWebRtcIni;
  for (const auto& [key, value] : parse_ini(f, text)) {
    if (key == "stunServerAddress") {
      w.stun_server_address = value.empty() ? "" : host_value(f, key, value);
    } else if (key == "stunServerPort") {
      w.stun_server_port = static_cast<uint16_t>(int_in_range(f, key, value, 1, 65535));
    } else if (key == "turnURL") {
      if (value.empty()) {
        w.turn.reset();
        continue;
      }
      w.turn = TurnUrl::parse(value);
      if (!w.turn) {
        fail(f, key, value, "expected <user>:<password>@<address>:<port>[?transport=udp|tcp|tls]");
      }
    } else if (key == "networkInterfaces") {
      w.network_interfaces = split_list(value);
      for (const auto& name : w.network_interfaces) {
        if (!std::all_of(name.begin(), name.end(), [](unsigned char c) {
              return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':' || c == '@';
            })) {
          fail(f, key, value, "expected a comma-separated list of interface names, e.g. 'eth0,eth1'");
        }
      }
    } else if (key == "externalIPv4") {
      if (!value.empty() && !is_ipv4(value)) fail(f, key, value, "expected an IPv4 address");
      w.external_ipv4 = value;
    } else if (key == "externalIPv6") {
      if (!value.empty() && !is_ipv6(value)) fail(f, key, value, "expected an IPv6 address");
      w.external_ipv6 = value;
    } else if (key == "iceTcp") {
      w.ice_tcp = to_bool(f, key, value);
    } else if (key == "pemCertificateRSA" || key == "pemCertificate") {
      if (key == "pemCertificate") {
        config.warnings.push_back(fmt::format("{}: pemCertificate is deprecated, use pemCertificateRSA", f));
      }
      w.pem_certificate_rsa = value;
    } else if (key == "pemCertificateECDSA") {
      w.pem_certificate_ecdsa = value;
    } else {
      warn_unknown(f, key,
                   {"stunServerAddress", "stunServerPort", "turnURL", "networkInterfaces", "externalIPv4",
                    "externalIPv6", "iceTcp", "pemCertificateRSA", "pemCertificateECDSA"},
                   config);
    }
  }
}

void apply_base_rtp_ini(std::string_view text, MediaServerConfig& config) {
  const auto f = kBaseRtpIni;
  for (const auto& [key, value] : parse_ini(f, text)) {
    if (key == "minPort") {
      config.rtp.min_port = static_cast<uint16_t>(int_in_range(f, key, value, 1, 65535));
    } else if (key == "maxPort") {
      config.rtp.max_port = static_cast<uint16_t>(int_in_range(f, key, value, 1, 65535));
    } else if (key == "udpPort") {
      config.rtp.media_port = static_cast<uint16_t>(int_in_range(f, key, value, 0, 65535));
    } else if (key == "mtu") {
      // Below 576 (RFC 791's minimum reassembly size) an RTP packet leaves no room for SRTP and headers.
      config.rtp.mtu = static_cast<uint16_t>(int_in_range(f, key, value, 576, 9000));
    } else {
      warn_unknown(f, key, {"minPort", "maxPort", "mtu", "udpPort"}, config);
    }
  }
}

void apply_media_element_ini(std::string_view text, MediaServerConfig& config) {
  const auto f = kMediaElementIni;
  constexpr int64_t kMaxBps = 1'000'000'000;
  auto& m = config.media_element;
  for (const auto& [key, value] : parse_ini(f, text)) {
    // Older Kurento releases named these outputBitrate / min/maxOutputBitrate.
    if (key == "encoderBitrate" || key == "outputBitrate") {
      m.encoder_bitrate = int_in_range(f, key, value, 1, kMaxBps);
    } else if (key == "minEncoderBitrate" || key == "minOutputBitrate") {
      m.min_encoder_bitrate = int_in_range(f, key, value, 0, kMaxBps);
    } else if (key == "maxEncoderBitrate" || key == "maxOutputBitrate") {
      m.max_encoder_bitrate = int_in_range(f, key, value, 0, kMaxBps);
    } else {
      warn_unknown(f, key, {"encoderBitrate", "minEncoderBitrate", "maxEncoderBitrate"}, config);
    }
  }
}

// ---- JSON (Kurento's *.conf.json allow // and /* */ comments)

json parse_json(std::string_view file, const std::string& text) {
  try {
    return json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw ConfigError(fmt::format("{}: not valid JSON: {}", file, e.what()));
  }
}

const json* find_path(const json& root, std::initializer_list<const char*> path) {
  const json* node = &root;
  for (const char* key : path) {
    if (!node->is_object()) return nullptr;
    const auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::string json_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Kurento reads its JSON through boost::property_tree, so numbers written as strings ("8888") work there too.
int64_t json_int(std::string_view file, std::string_view key, const json& v, int64_t lo, int64_t hi) {
  if (v.is_number_integer() || v.is_number_unsigned() || v.is_string()) {
    return int_in_range(file, key, json_text(v), lo, hi);
  }
  fail(file, key, json_text(v), fmt::format("expected an integer {}..{}", lo, hi));
}

void apply_kurento_json(const std::string& text, MediaServerConfig& config) {
  const auto f = kKurentoConf;
  const json root = parse_json(f, text);
  if (!root.is_object()) fail(f, "(top level)", json_text(root), "expected a JSON object");
  if (const auto* v = find_path(root, {"mediaServer", "net", "websocket", "port"})) {
    config.websocket.port = static_cast<uint16_t>(json_int(f, "mediaServer.net.websocket.port", *v, 0, 65535));
  }
  if (const auto* v = find_path(root, {"mediaServer", "net", "websocket", "path"})) {
    if (!v->is_string()) fail(f, "mediaServer.net.websocket.path", json_text(*v), "expected a string");
    config.websocket.path = normalize_ws_path(f, "mediaServer.net.websocket.path", v->get<std::string>());
  }
  if (const auto* v = find_path(root, {"mediaServer", "net", "websocket", "address"})) {
    if (!v->is_string() || !(is_ipv4(v->get<std::string>()) || is_ipv6(v->get<std::string>()))) {
      fail(f, "mediaServer.net.websocket.address", json_text(*v), "expected an IP address to listen on");
    }
    config.websocket.address = v->get<std::string>();
  }
  if (const auto* v = find_path(root, {"mediaServer", "net", "websocket", "threads"})) {
    config.threads = static_cast<size_t>(json_int(f, "mediaServer.net.websocket.threads", *v, 0, 1024));
  }
  if (const auto* v = find_path(root, {"mediaServer", "net", "websocket", "secure"})) {
    (void)v;
    config.warnings.push_back(fmt::format("{}: mediaServer.net.websocket.secure is not supported yet (ignored)", f));
  }
  if (const auto* v = find_path(root, {"mediaServer", "resources", "garbageCollectorPeriod"})) {
    config.garbage_collector_period =
        std::chrono::seconds(json_int(f, "mediaServer.resources.garbageCollectorPeriod", *v, 1, 86400));
  }
}

std::vector<std::string> codec_list(std::string_view file, std::string_view key, const json& list) {
  if (!list.is_array()) fail(file, key, json_text(list), "expected a list such as [{\"name\": \"VP8/90000\"}]");
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto item_key = fmt::format("{}[{}].name", key, i);
    const auto& item = list[i];
    const json* name = item.is_object() ? find_path(item, {"name"}) : nullptr;
    if (name == nullptr || !name->is_string()) {
      fail(file, item_key, json_text(item), "expected an object with a \"name\" string, e.g. {\"name\": \"VP8/90000\"}");
    }
    const auto text = name->get<std::string>();
    if (!valid_codec_name(text)) {
      fail(file, item_key, text, "expected '<encoding>/<clock rate>[/<channels>]', e.g. 'VP8/90000' or 'opus/48000/2'");
    }
    out.push_back(text);
  }
  return out;
}

void apply_sdp_json(const std::string& text, MediaServerConfig& config) {
  const auto f = kSdpJson;
  const json root = parse_json(f, text);
  if (!root.is_object()) fail(f, "(top level)", json_text(root), "expected a JSON object");
  if (const auto* v = find_path(root, {"audioCodecs"})) config.sdp.audio_codecs = codec_list(f, "audioCodecs", *v);
  if (const auto* v = find_path(root, {"videoCodecs"})) config.sdp.video_codecs = codec_list(f, "videoCodecs", *v);
  for (const auto& [key, value] : root.items()) {
    if (key != "audioCodecs" && key != "videoCodecs" && key != "numAudioMedias" && key != "numVideoMedias") {
      warn_unknown(f, key, {"audioCodecs", "videoCodecs"}, config);
    }
  }
}

void validate(MediaServerConfig& config) {
  if (config.rtp.min_port > config.rtp.max_port) {
    throw ConfigError(fmt::format("{}: minPort = '{}': expected at most maxPort ({})", kBaseRtpIni,
                                  config.rtp.min_port, config.rtp.max_port));
  }
  const auto& m = config.media_element;
  if (m.max_encoder_bitrate != 0 && m.min_encoder_bitrate > m.max_encoder_bitrate) {
    throw ConfigError(fmt::format("{}: minEncoderBitrate = '{}': expected at most maxEncoderBitrate ({})",
                                  kMediaElementIni, m.min_encoder_bitrate, m.max_encoder_bitrate));
  }
  // Certificates are read by the DTLS layer later; a typo should stop start-up now, not the first call.
  auto check_pem = [&](std::filesystem::path& path, std::string_view key) {
    if (path.empty()) return;
    if (path.is_relative() && !config.conf_dir.empty()) path = config.conf_dir / path;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      fail(kWebRtcIni, key, path.string(), "expected a readable PEM file (certificate and private key)");
    }
  };
  check_pem(config.webrtc.pem_certificate_rsa, "pemCertificateRSA");
  check_pem(config.webrtc.pem_certificate_ecdsa, "pemCertificateECDSA");
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot be read", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError(fmt::format("{}: read error", path.string()));
  return ss.str();
}

}  // namespace

std::optional<TurnUrl> TurnUrl::parse(std::string_view text) {
  TurnUrl url;
  const auto at = text.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const auto creds = text.substr(0, at);
  auto rest = text.substr(at + 1);
  const auto colon = creds.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  url.user = std::string(creds.substr(0, colon));
  url.password = std::string(creds.substr(colon + 1));
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    const auto query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    constexpr std::string_view kTransport = "transport=";
    if (query.substr(0, kTransport.size()) != kTransport) return std::nullopt;
    url.transport = std::string(query.substr(kTransport.size()));
    if (url.transport != "udp" && url.transport != "tcp" && url.transport != "tls") return std::nullopt;
  }
  const auto port_colon = rest.rfind(':');
  if (port_colon == std::string_view::npos) return std::nullopt;
  auto host = rest.substr(0, port_colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port = to_int(rest.substr(port_colon + 1));
  if (!is_host(host) || !port || *port < 1 || *port > 65535) return std::nullopt;
  url.address = std::string(host);
  url.port = static_cast<uint16_t>(*port);
  return url;
}

std::string TurnUrl::to_string(bool with_password) const {
  const bool v6 = address.find(':') != std::string::npos;
  return fmt::format("{}:{}@{}{}{}:{}?transport={}", user, with_password ? password : "***", v6 ? "[" : "", address,
                     v6 ? "]" : "", port, transport);
}

std::optional<int> parse_command_line(int argc, const char* const* argv, CommandLine& out) {
  CLI::App app{"medley: a Kurento-compatible media server (JSON-RPC over WebSocket, WebRTC)", "medley"};
  app.set_version_flag("--version", "medley 0.1");

  std::string conf_dir, address, path, log_level, log_dir, stun_address, turn_url, ext4, ext6, ifaces;
  int port = 0, stun_port = 0, min_port = 0, max_port = 0, udp_port = 0;
  size_t threads = 0, log_size = 0, log_count = 0;
  int64_t gc = 0;

  auto* o_conf = app.add_option("-c,--conf-dir", conf_dir,
                                "Directory with kurento.conf.json, WebRtcEndpoint.conf.ini, SdpEndpoint.conf.json, "
                                "BaseRtpEndpoint.conf.ini, MediaElement.conf.ini (default /etc/medley if present)");
  auto* o_addr = app.add_option("--address", address, "Address to listen on (default 0.0.0.0)");
  auto* o_port = app.add_option("-p,--port", port, "WebSocket/HTTP port (default 8888; 0 = any free port)")
                     ->check(CLI::Range(0, 65535));
  auto* o_path = app.add_option("--path", path, "WebSocket path (default kurento)");
  auto* o_threads = app.add_option("-t,--threads", threads, "Worker threads (default: one per core)")
                        ->check(CLI::Range(size_t{0}, size_t{1024}));
  auto* o_level = app.add_option("-d,--log-level", log_level,
                                 "Log levels GST_DEBUG-style, e.g. '3,ice:5,router:4' (0 none .. 5 debug, 6 trace); "
                                 "applied over env MEDLEY_LOG");
  auto* o_log_dir = app.add_option("--log-dir,--logs-path", log_dir, "Directory for medley.log and errors.log");
  auto* o_log_size = app.add_option("--log-file-size", log_size, "Size of each log file in MiB (default 100)")
                         ->check(CLI::Range(size_t{1}, size_t{100000}));
  auto* o_log_count = app.add_option("--number-log-files", log_count, "Rotated log files kept (default 10)")
                          ->check(CLI::Range(size_t{1}, size_t{1000}));
  auto* o_stun = app.add_option("--stun-address", stun_address, "STUN server address (WebRtcEndpoint)");
  auto* o_stun_port = app.add_option("--stun-port", stun_port, "STUN server port")->check(CLI::Range(1, 65535));
  auto* o_turn = app.add_option("--turn-url", turn_url, "TURN server: user:password@address:port[?transport=udp]");
  auto* o_ext4 = app.add_option("--external-ipv4", ext4, "Public IPv4 address announced in candidates");
  auto* o_ext6 = app.add_option("--external-ipv6", ext6, "Public IPv6 address announced in candidates");
  auto* o_ifaces = app.add_option("--network-interfaces", ifaces, "Comma-separated interfaces used for ICE");
  auto* o_min = app.add_option("--min-port", min_port, "Lowest RTP port")->check(CLI::Range(1, 65535));
  auto* o_max = app.add_option("--max-port", max_port, "Highest RTP port")->check(CLI::Range(1, 65535));
  auto* o_udp = app.add_option("--udp-port", udp_port, "The UDP port all WebRtcEndpoints share (0: any free port)")
                    ->check(CLI::Range(0, 65535));
  auto* o_gc = app.add_option("--gc-period", gc, "Garbage collector period in seconds (default 240)")
                   ->check(CLI::Range(int64_t{1}, int64_t{86400}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*o_conf) out.conf_dir = conf_dir;
  if (*o_addr) out.address = address;
  if (*o_port) out.port = static_cast<uint16_t>(port);
  if (*o_path) out.path = path;
  if (*o_threads) out.threads = threads;
  if (*o_level) out.log_level = log_level;
  if (*o_log_dir) out.log_dir = log_dir;
  if (*o_log_size) out.log_file_size_mib = log_size;
  if (*o_log_count) out.log_file_count = log_count;
  if (*o_stun) out.stun_address = stun_address;
  if (*o_stun_port) out.stun_port = static_cast<uint16_t>(stun_port);
  if (*o_turn) out.turn_url = turn_url;
  if (*o_ext4) out.external_ipv4 = ext4;
  if (*o_ext6) out.external_ipv6 = ext6;
  if (*o_ifaces) out.network_interfaces = ifaces;
  if (*o_min) out.min_port = static_cast<uint16_t>(min_port);
  if (*o_udp) out.media_port = static_cast<uint16_t>(udp_port);
  if (*o_max) out.max_port = static_cast<uint16_t>(max_port);
  if (*o_gc) out.gc_period_s = gc;
  return std::nullopt;
}

std::filesystem::path default_conf_dir() {
  std::error_code ec;
  if (std::filesystem::is_directory("/etc/medley", ec)) return "/etc/medley";
  return {};
}

void apply_config_texts(const ConfigTexts& texts, MediaServerConfig& config) {
  if (texts.kurento_conf_json) apply_kurento_json(*texts.kurento_conf_json, config);
  if (texts.webrtc_endpoint_ini) apply_webrtc_ini(*texts.webrtc_endpoint_ini, config);
  if (texts.sdp_endpoint_json) apply_sdp_json(*texts.sdp_endpoint_json, config);
  if (texts.base_rtp_endpoint_ini) apply_base_rtp_ini(*texts.base_rtp_endpoint_ini, config);
  if (texts.media_element_ini) apply_media_element_ini(*texts.media_element_ini, config);
  validate(config);
}

void apply_command_line(const CommandLine& cli, MediaServerConfig& config) {
  if (cli.address) {
    if (!is_ipv4(*cli.address) && !is_ipv6(*cli.address)) {
      fail("command line", "--address", *cli.address, "expected an IP address to listen on");
    }
    config.websocket.address = *cli.address;
  }
  if (cli.port) config.websocket.port = *cli.port;
  if (cli.path) config.websocket.path = normalize_ws_path("command line", "--path", *cli.path);
  if (cli.threads) config.threads = *cli.threads;
  if (cli.log_level) config.logging.levels = *cli.log_level;
  if (cli.log_dir) config.logging.log_dir = *cli.log_dir;
  if (cli.log_file_size_mib) config.logging.file_size_mib = *cli.log_file_size_mib;
  if (cli.log_file_count) config.logging.file_count = *cli.log_file_count;
  if (cli.stun_address) config.webrtc.stun_server_address = host_value("command line", "--stun-address", *cli.stun_address);
  if (cli.stun_port) config.webrtc.stun_server_port = *cli.stun_port;
  if (cli.turn_url) {
    config.webrtc.turn = TurnUrl::parse(*cli.turn_url);
    if (!config.webrtc.turn) {
      fail("command line", "--turn-url", *cli.turn_url, "expected <user>:<password>@<address>:<port>[?transport=udp|tcp|tls]");
    }
  }
  if (cli.external_ipv4) {
    if (!is_ipv4(*cli.external_ipv4)) fail("command line", "--external-ipv4", *cli.external_ipv4, "expected an IPv4 address");
    config.webrtc.external_ipv4 = *cli.external_ipv4;
  }
  if (cli.external_ipv6) {
    if (!is_ipv6(*cli.external_ipv6)) fail("command line", "--external-ipv6", *cli.external_ipv6, "expected an IPv6 address");
    config.webrtc.external_ipv6 = *cli.external_ipv6;
  }
  if (cli.network_interfaces) config.webrtc.network_interfaces = split_list(*cli.network_interfaces);
  if (cli.min_port) config.rtp.min_port = *cli.min_port;
  if (cli.media_port) config.rtp.media_port = *cli.media_port;
  if (cli.max_port) config.rtp.max_port = *cli.max_port;
  if (cli.gc_period_s) config.garbage_collector_period = std::chrono::seconds(*cli.gc_period_s);
  if (config.rtp.min_port > config.rtp.max_port) {
    throw ConfigError(fmt::format("command line: --min-port = '{}': expected at most the max port ({})",
                                  config.rtp.min_port, config.rtp.max_port));
  }
}

MediaServerConfig load_config(const CommandLine& cli) {
  MediaServerConfig config;
  config.conf_dir = cli.conf_dir ? *cli.conf_dir : default_conf_dir();
  ConfigTexts texts;
  if (!config.conf_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(config.conf_dir, ec)) {
      throw ConfigError(fmt::format("--conf-dir = '{}': expected an existing directory", config.conf_dir.string()));
    }
    // Kurento keeps kurento.conf.json at the top and module files under modules/kurento/; accept either place.
    auto load = [&](std::string_view name) -> std::optional<std::string> {
      for (const auto& path : {config.conf_dir / name, config.conf_dir / "modules" / "kurento" / name}) {
        if (auto text = read_file(path)) {
          config.files_read.push_back(path);
          return text;
        }
      }
      return std::nullopt;
    };
    texts.kurento_conf_json = load(kKurentoConf);
    texts.webrtc_endpoint_ini = load(kWebRtcIni);
    texts.sdp_endpoint_json = load(kSdpJson);
    texts.base_rtp_endpoint_ini = load(kBaseRtpIni);
    texts.media_element_ini = load(kMediaElementIni);
  }
  apply_config_texts(texts, config);
  apply_command_line(cli, config);
  return config;
}

}  // namespace medley::server

// MediaServerConfig: the medley process settings, from embedded defaults, Kurento-style config files and the CLI.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace medley::server {

// A bad setting. what() names the file (or CLI flag), the key, the value and what is allowed, e.g.
// "WebRtcEndpoint.conf.ini: stunServerPort = 'abc': expected an integer 1..65535".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `turnURL=<user>:<password>@<address>:<port>[?transport=udp|tcp|tls]` (WebRtcEndpoint.conf.ini).
struct TurnUrl {
  std::string user;
  std::string password;
  std::string address;
  uint16_t port = 3478;
  std::string transport = "udp";

  static std::optional<TurnUrl> parse(std::string_view text);
  std::string to_string(bool with_password) const;
};

struct WebSocketConfig {
  std::string address = "0.0.0.0";  // medley extension: Kurento always listens on all interfaces
  uint16_t port = 8888;             // 0 = ephemeral (tests)
  std::string path = "/kurento";    // always with a leading '/'; Kurento's file writes it without
};

struct WebRtcConfig {  // WebRtcEndpoint.conf.ini
  std::string stun_server_address;  // empty = no STUN
  uint16_t stun_server_port = 3478;
  std::optional<TurnUrl> turn;
  std::vector<std::string> network_interfaces;  // empty = all
  std::string external_ipv4;
  std::string external_ipv6;
  bool ice_tcp = false;  // Kurento defaults to 1; medley has no ICE-TCP yet (DESIGN: built later)
  std::filesystem::path pem_certificate_rsa;
  std::filesystem::path pem_certificate_ecdsa;
};

struct SdpConfig {  // SdpEndpoint.conf.json
  std::vector<std::string> audio_codecs{"opus/48000/2", "PCMU/8000"};
  std::vector<std::string> video_codecs{"VP8/90000", "H264/90000", "VP9/90000"};  // VP9: medley forwards it (Kurento lists VP8 and H.264)
};

struct RtpConfig {  // BaseRtpEndpoint.conf.ini
  uint16_t min_port = 1024;
  uint16_t max_port = 65535;
  uint16_t mtu = 1200;
  // medley: the one UDP port every WebRtcEndpoint shares (DESIGN.md "One socket"); 0 = a free port chosen at start.
  uint16_t media_port = 0;
};

struct MediaElementConfig {  // MediaElement.conf.ini, bits per second
  int64_t encoder_bitrate = 300'000;
  int64_t min_encoder_bitrate = 0;
  int64_t max_encoder_bitrate = 0;  // 0 = unlimited
};

struct LoggingConfig {
  std::string levels;             // GST_DEBUG-style spec, applied on top of env MEDLEY_LOG (see log.hpp)
  std::filesystem::path log_dir;  // empty = stderr only
  size_t file_size_mib = 100;
  size_t file_count = 10;
};

struct MediaServerConfig {
  WebSocketConfig websocket;
  size_t threads = 0;  // worker threads; 0 = one per core
  std::chrono::seconds garbage_collector_period{240};
  WebRtcConfig webrtc;
  SdpConfig sdp;
  RtpConfig rtp;
  MediaElementConfig media_element;
  LoggingConfig logging;

  std::filesystem::path conf_dir;                  // empty = embedded defaults only
  std::vector<std::filesystem::path> files_read;   // config files that were found and applied
  std::vector<std::string> warnings;               // unknown keys and the like, to log once logging is up
};

// What the command line says; unset fields leave the files' values alone.
struct CommandLine {
  std::optional<std::filesystem::path> conf_dir;
  std::optional<std::string> address;
  std::optional<uint16_t> port;
  std::optional<std::string> path;
  std::optional<size_t> threads;
  std::optional<std::string> log_level;
  std::optional<std::filesystem::path> log_dir;
  std::optional<size_t> log_file_size_mib;
  std::optional<size_t> log_file_count;
  std::optional<std::string> stun_address;
  std::optional<uint16_t> stun_port;
  std::optional<std::string> turn_url;
  std::optional<std::string> external_ipv4;
  std::optional<std::string> external_ipv6;
  std::optional<std::string> network_interfaces;
  std::optional<uint16_t> min_port;
  std::optional<uint16_t> max_port;
  std::optional<uint16_t> media_port;
  std::optional<int64_t> gc_period_s;
};

// Parses argv with CLI11. Returns an exit code when the process should stop at once (--help, --version, or a bad
// flag, already reported on stdout/stderr), nullopt to go on.
std::optional<int> parse_command_line(int argc, const char* const* argv, CommandLine& out);

// The default config dir: /etc/medley when it exists, else none.
std::filesystem::path default_conf_dir();

// Defaults, then the files in the config dir (each optional; also looked for under modules/kurento/ as Kurento
// lays them out), then the command line. Throws ConfigError on any bad value or unreadable file.
MediaServerConfig load_config(const CommandLine& cli);

// The same, from file contents already in memory (tests); a missing entry means the file does not exist.
struct ConfigTexts {
  std::optional<std::string> kurento_conf_json;
  std::optional<std::string> webrtc_endpoint_ini;
  std::optional<std::string> sdp_endpoint_json;
  std::optional<std::string> base_rtp_endpoint_ini;
  std::optional<std::string> media_element_ini;
};
void apply_config_texts(const ConfigTexts& texts, MediaServerConfig& config);
void apply_command_line(const CommandLine& cli, MediaServerConfig& config);

}  // namespace medley::server

// MediaServerConfig: embedded defaults, Kurento's files (good, bad, missing), CLI overrides.
#include "server/config.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace medley::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("medley_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  void write(const std::filesystem::path& rel, std::string_view text) const {
    std::filesystem::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel) << text;
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

std::string error_of(const ConfigTexts& texts) {
  MediaServerConfig config;
  try {
    apply_config_texts(texts, config);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

CommandLine parse(std::vector<const char*> args) {
  args.insert(args.begin(), "medley");
  CommandLine cli;
  EXPECT_EQ(parse_command_line(static_cast<int>(args.size()), args.data(), cli), std::nullopt);
  return cli;
}

TEST(Config, DefaultsWithNoFiles) {
  TempDir empty;
  CommandLine cli;
  cli.conf_dir = empty.path();
  const auto c = load_config(cli);
  EXPECT_EQ(c.websocket.address, "0.0.0.0");
  EXPECT_EQ(c.websocket.port, 8888);
  EXPECT_EQ(c.websocket.path, "/kurento");
  EXPECT_EQ(c.threads, 0u);
  EXPECT_EQ(c.garbage_collector_period, std::chrono::seconds(240));
  EXPECT_TRUE(c.webrtc.stun_server_address.empty());
  EXPECT_FALSE(c.webrtc.turn);
  EXPECT_EQ(c.rtp.min_port, 1024);
  EXPECT_EQ(c.rtp.max_port, 65535);
  EXPECT_EQ(c.rtp.mtu, 1200);
  EXPECT_THAT(c.sdp.video_codecs, ElementsAre("VP8/90000", "H264/90000", "VP9/90000"));
  EXPECT_THAT(c.sdp.audio_codecs, ElementsAre("opus/48000/2", "PCMU/8000"));
  EXPECT_TRUE(c.files_read.empty());
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Config, KurentoStyleFilesAreRead) {
  TempDir dir;
  // kurento.conf.json as Kurento ships it: comments, path without '/'.
  dir.write("kurento.conf.json", R"({
    "mediaServer" : {
      "resources": {
      //  "exceptionLimit": "0.8",
          "garbageCollectorPeriod": 120
      },
      "net" : {
        /* "rabbitmq": {} */
        "websocket": {
          "port": 9999,
          "path": "kms",
          "threads": 4
        }
      }
    }
  })");
  dir.write("modules/kurento/WebRtcEndpoint.conf.ini", R"(;; STUN server
stunServerAddress=192.0.2.10
stunServerPort=3479
; comment
turnURL=alice:s3cret@198.51.100.7:3478?transport=tcp
networkInterfaces=eth0, eth1
externalIPv4=203.0.113.5
externalIPv6=2001:db8::5
iceTcp=0
)");
  dir.write("SdpEndpoint.conf.json", R"({
    "numAudioMedias": 1,
    "audioCodecs": [ {"name": "opus/48000/2", "properties": {}} ],
    "videoCodecs": [ {"name": "H264/90000"}, {"name": "VP8/90000"} ]
  })");
  dir.write("BaseRtpEndpoint.conf.ini", "minPort=40000\nmaxPort=40100\nmtu=1400\n");
  dir.write("MediaElement.conf.ini", "encoderBitrate=500000\nminEncoderBitrate=100000\nmaxEncoderBitrate=2000000\n");

  CommandLine cli;
  cli.conf_dir = dir.path();
  const auto c = load_config(cli);
  EXPECT_EQ(c.files_read.size(), 5u);
  EXPECT_EQ(c.websocket.port, 9999);
  EXPECT_EQ(c.websocket.path, "/kms");
  EXPECT_EQ(c.threads, 4u);
  EXPECT_EQ(c.garbage_collector_period, std::chrono::seconds(120));
  EXPECT_EQ(c.webrtc.stun_server_address, "192.0.2.10");
  EXPECT_EQ(c.webrtc.stun_server_port, 3479);
  ASSERT_TRUE(c.webrtc.turn);
  EXPECT_EQ(c.webrtc.turn->user, "alice");
  EXPECT_EQ(c.webrtc.turn->password, "s3cret");
  EXPECT_EQ(c.webrtc.turn->address, "198.51.100.7");
  EXPECT_EQ(c.webrtc.turn->port, 3478);
  EXPECT_EQ(c.webrtc.turn->transport, "tcp");
  EXPECT_THAT(c.webrtc.network_interfaces, ElementsAre("eth0", "eth1"));
  EXPECT_EQ(c.webrtc.external_ipv4, "203.0.113.5");
  EXPECT_EQ(c.webrtc.external_ipv6, "2001:db8::5");
  EXPECT_FALSE(c.webrtc.ice_tcp);
  EXPECT_THAT(c.sdp.audio_codecs, ElementsAre("opus/48000/2"));
  EXPECT_THAT(c.sdp.video_codecs, ElementsAre("H264/90000", "VP8/90000"));
  EXPECT_EQ(c.rtp.min_port, 40000);
  EXPECT_EQ(c.rtp.max_port, 40100);
  EXPECT_EQ(c.rtp.mtu, 1400);
  EXPECT_EQ(c.media_element.encoder_bitrate, 500000);
  EXPECT_EQ(c.media_element.min_encoder_bitrate, 100000);
  EXPECT_EQ(c.media_element.max_encoder_bitrate, 2000000);
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

TEST(Config, CommentedOutKurentoDefaultsChangeNothing) {
  ConfigTexts t;
  t.base_rtp_endpoint_ini = ";minPort=1024\n;maxPort=65535\n\n;mtu=1200\n";
  t.webrtc_endpoint_ini = ";stunServerAddress=<IpAddress>\n;turnURL=<User>:<Pass>@<IpAddress>:<Port>\n";
  MediaServerConfig c;
  apply_config_texts(t, c);
  EXPECT_EQ(c.rtp.min_port, 1024);
  EXPECT_TRUE(c.webrtc.stun_server_address.empty());
}

TEST(Config, BadValuesNameFileKeyAndAllowedValues) {
  ConfigTexts t;
  t.webrtc_endpoint_ini = "stunServerPort=abc\n";
  EXPECT_EQ(error_of(t), "WebRtcEndpoint.conf.ini: stunServerPort = 'abc': expected an integer 1..65535");
  t.webrtc_endpoint_ini = "stunServerPort=70000\n";
  EXPECT_EQ(error_of(t), "WebRtcEndpoint.conf.ini: stunServerPort = '70000': expected an integer 1..65535");
  t.webrtc_endpoint_ini = "turnURL=198.51.100.7:3478\n";
  EXPECT_THAT(error_of(t), HasSubstr("WebRtcEndpoint.conf.ini: turnURL = '198.51.100.7:3478': expected <user>"));
  t.webrtc_endpoint_ini = "externalIPv4=2001:db8::1\n";
  EXPECT_EQ(error_of(t), "WebRtcEndpoint.conf.ini: externalIPv4 = '2001:db8::1': expected an IPv4 address");
  t.webrtc_endpoint_ini = "iceTcp=maybe\n";
  EXPECT_THAT(error_of(t), HasSubstr("iceTcp = 'maybe': expected a boolean"));
  t.webrtc_endpoint_ini = "pemCertificateRSA=/nonexistent/medley.pem\n";
  EXPECT_THAT(error_of(t), HasSubstr("pemCertificateRSA = '/nonexistent/medley.pem': expected a readable PEM file"));
  t.webrtc_endpoint_ini = "this line has no equals sign\n";
  EXPECT_EQ(error_of(t), "WebRtcEndpoint.conf.ini:1: expected 'key=value', got 'this line has no equals sign'");

  ConfigTexts j;
  j.kurento_conf_json = R"({"mediaServer": {"net": {"websocket": {"port": "eighty"}}}})";
  EXPECT_EQ(error_of(j), "kurento.conf.json: mediaServer.net.websocket.port = 'eighty': expected an integer 0..65535");
  j.kurento_conf_json = R"({"mediaServer": {"net": {"websocket": {"port": 8888.5}}}})";
  EXPECT_THAT(error_of(j), HasSubstr("mediaServer.net.websocket.port = '8888.5'"));
  j.kurento_conf_json = R"({"mediaServer": {"net": {"websocket": {"path": "a b"}}}})";
  EXPECT_THAT(error_of(j), HasSubstr("mediaServer.net.websocket.path = 'a b': expected a URL path"));
  j.kurento_conf_json = R"({"mediaServer": )";
  EXPECT_THAT(error_of(j), HasSubstr("kurento.conf.json: not valid JSON"));

  ConfigTexts s;
  s.sdp_endpoint_json = R"({"videoCodecs": [{"name": "VP8/90000"}, {"name": "VP8"}]})";
  EXPECT_EQ(error_of(s),
            "SdpEndpoint.conf.json: videoCodecs[1].name = 'VP8': expected '<encoding>/<clock rate>[/<channels>]', "
            "e.g. 'VP8/90000' or 'opus/48000/2'");
  s.sdp_endpoint_json = R"({"audioCodecs": "opus"})";
  EXPECT_THAT(error_of(s), HasSubstr("SdpEndpoint.conf.json: audioCodecs = 'opus': expected a list"));

  ConfigTexts r;
  r.base_rtp_endpoint_ini = "minPort=6000\nmaxPort=5000\n";
  EXPECT_EQ(error_of(r), "BaseRtpEndpoint.conf.ini: minPort = '6000': expected at most maxPort (5000)");
  r.base_rtp_endpoint_ini = "mtu=100\n";
  EXPECT_EQ(error_of(r), "BaseRtpEndpoint.conf.ini: mtu = '100': expected an integer 576..9000");

  ConfigTexts m;
  m.media_element_ini = "maxEncoderBitrate=-5\n";
  EXPECT_EQ(error_of(m), "MediaElement.conf.ini: maxEncoderBitrate = '-5': expected an integer 0..1000000000");
}

TEST(Config, BadFileInConfDirFailsLoad) {
  TempDir dir;
  dir.write("WebRtcEndpoint.conf.ini", "stunServerPort=abc\n");
  CommandLine cli;
  cli.conf_dir = dir.path();
  EXPECT_THROW(load_config(cli), ConfigError);
}

TEST(Config, MissingConfDirIsAnError) {
  CommandLine cli;
  cli.conf_dir = "/nonexistent/medley/conf";
  try {
    load_config(cli);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "--conf-dir = '/nonexistent/medley/conf': expected an existing directory");
  }
}

TEST(Config, UnknownKeysWarn) {
  ConfigTexts t;
  t.base_rtp_endpoint_ini = "minport=5000\n";
  MediaServerConfig c;
  apply_config_texts(t, c);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_THAT(c.warnings[0], HasSubstr("BaseRtpEndpoint.conf.ini: unknown key 'minport' ignored"));
  EXPECT_EQ(c.rtp.min_port, 1024);
}

TEST(Config, CommandLineOverridesFiles) {
  TempDir dir;
  dir.write("kurento.conf.json", R"({"mediaServer": {"net": {"websocket": {"port": 9999, "path": "kms"}}}})");
  dir.write("WebRtcEndpoint.conf.ini", "stunServerAddress=192.0.2.10\nstunServerPort=3479\n");
  auto cli = parse({"--conf-dir", dir.path().c_str(), "--port", "0", "--path", "/rpc", "--threads", "3",
                    "--address", "127.0.0.1", "--stun-port", "19302", "--log-level", "3,ice:5", "--log-dir",
                    "/tmp/x", "--turn-url", "u:p@192.0.2.1:3478", "--min-port", "50000", "--max-port", "50010"});
  const auto c = load_config(cli);
  EXPECT_EQ(c.websocket.port, 0);
  EXPECT_EQ(c.websocket.path, "/rpc");
  EXPECT_EQ(c.websocket.address, "127.0.0.1");
  EXPECT_EQ(c.threads, 3u);
  EXPECT_EQ(c.webrtc.stun_server_address, "192.0.2.10");  // from the file
  EXPECT_EQ(c.webrtc.stun_server_port, 19302);            // from the flag
  EXPECT_EQ(c.logging.levels, "3,ice:5");
  EXPECT_EQ(c.logging.log_dir, "/tmp/x");
  ASSERT_TRUE(c.webrtc.turn);
  EXPECT_EQ(c.webrtc.turn->address, "192.0.2.1");
  EXPECT_EQ(c.rtp.min_port, 50000);
  EXPECT_EQ(c.rtp.max_port, 50010);
}

TEST(Config, BadFlagsStopStartUp) {
  CommandLine cli;
  const char* bad_port[] = {"medley", "--port", "abc"};
  EXPECT_NE(parse_command_line(3, bad_port, cli).value_or(0), 0);
  const char* out_of_range[] = {"medley", "--port", "70000"};
  EXPECT_NE(parse_command_line(3, out_of_range, cli).value_or(0), 0);
  const char* unknown[] = {"medley", "--no-such-flag"};
  EXPECT_NE(parse_command_line(2, unknown, cli).value_or(0), 0);
  const char* help[] = {"medley", "--help"};
  EXPECT_EQ(parse_command_line(2, help, cli), std::optional<int>(0));

  CommandLine bad_turn;
  bad_turn.turn_url = "nonsense";
  MediaServerConfig c;
  EXPECT_THROW(apply_command_line(bad_turn, c), ConfigError);
  CommandLine bad_address;
  bad_address.address = "localhost";
  EXPECT_THROW(apply_command_line(bad_address, c), ConfigError);
}

TEST(TurnUrl, ParsesKurentoForms) {
  auto t = TurnUrl::parse("user:pa:ss@turn.example.org:443?transport=tls");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->user, "user");
  EXPECT_EQ(t->password, "pa:ss");
  EXPECT_EQ(t->address, "turn.example.org");
  EXPECT_EQ(t->port, 443);
  EXPECT_EQ(t->transport, "tls");
  EXPECT_EQ(t->to_string(false), "user:***@turn.example.org:443?transport=tls");
  auto v6 = TurnUrl::parse("u:p@[2001:db8::1]:3478");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, "2001:db8::1");
  EXPECT_EQ(v6->transport, "udp");
  EXPECT_EQ(v6->to_string(true), "u:p@[2001:db8::1]:3478?transport=udp");
  EXPECT_FALSE(TurnUrl::parse("u:p@host"));
  EXPECT_FALSE(TurnUrl::parse("u:p@host:0"));
  EXPECT_FALSE(TurnUrl::parse("u:p@host:3478?transport=sctp"));
  EXPECT_FALSE(TurnUrl::parse(":p@host:3478"));
  EXPECT_FALSE(TurnUrl::parse(""));
}

}  // namespace
}  // namespace medley::server

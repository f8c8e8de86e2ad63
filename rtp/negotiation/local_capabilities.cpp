// Kurento-style codec configuration turned into the capabilities negotiation matches against.
#include "rtp/negotiation/local_capabilities.hpp"

#include <cctype>

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::negotiation {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::vector<FeedbackCapability> video_feedback() {
  return {{"goog-remb", ""}, {"transport-cc", ""}, {"ccm", "fir"}, {"nack", ""}, {"nack", "pli"}};
}

}  // namespace

std::string CodecCapability::config_name() const {
  std::string s = name + "/" + std::to_string(clock_rate);
  if (channels) s += "/" + std::to_string(*channels);
  return s;
}

std::optional<CodecCapability> LocalCapabilities::known_codec(std::string_view name, uint32_t clock_rate,
                                                              std::optional<uint32_t> channels) {
  CodecCapability c;
  c.clock_rate = clock_rate;
  c.channels = channels;
  if (iequals(name, "opus") && clock_rate == 48000 && channels.value_or(2) == 2) {
    c.name = "opus";
    c.channels = 2;  // RFC 7587 section 7: always opus/48000/2
    c.fmtp = "minptime=10;useinbandfec=1";
    c.feedback = {{"transport-cc", ""}};
  } else if (iequals(name, "PCMU") && clock_rate == 8000 && channels.value_or(1) == 1) {
    c.name = "PCMU";
    c.static_payload_type = 0;
  } else if (iequals(name, "PCMA") && clock_rate == 8000 && channels.value_or(1) == 1) {
    c.name = "PCMA";
    c.static_payload_type = 8;
  } else if (iequals(name, "VP8") && clock_rate == 90000 && !channels) {
    c.name = "VP8";
    c.feedback = video_feedback();
  } else if (iequals(name, "VP9") && clock_rate == 90000 && !channels) {
    c.name = "VP9";
    c.fmtp = "profile-id=0";
    c.feedback = video_feedback();
  } else if (iequals(name, "H264") && clock_rate == 90000 && !channels) {
    c.name = "H264";
    // What openh264 and libwebrtc agree on; a configuration may add other profiles as separate entries.
    c.fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
    c.feedback = video_feedback();
  } else if (iequals(name, "AV1") && clock_rate == 90000 && !channels) {
    c.name = "AV1";
    c.feedback = video_feedback();
  } else {
    return std::nullopt;
  }
  return c;
}

LocalCapabilities LocalCapabilities::defaults() {
  LocalCapabilities caps;
  caps.audio_codecs = {*known_codec("opus", 48000, 2), *known_codec("PCMU", 8000, {}),
                       *known_codec("PCMA", 8000, {})};
  caps.video_codecs = {*known_codec("VP8", 90000, {}), *known_codec("H264", 90000, {}),
                       *known_codec("VP9", 90000, {})};
  caps.header_extensions = {
      {std::string(extension_uri::kAudioLevel), true, false},
      {std::string(extension_uri::kAbsSendTime), true, true},
      {std::string(extension_uri::kTransportWideCc), true, true},
      {std::string(extension_uri::kMid), true, true},
      {std::string(extension_uri::kRtpStreamId), false, true},
      {std::string(extension_uri::kRepairedRtpStreamId), false, true},
  };
  return caps;
}

base::Result<LocalCapabilities, std::string> LocalCapabilities::from_codec_names(const std::vector<std::string>& audio,
                                                                                const std::vector<std::string>& video) {
  LocalCapabilities caps = defaults();
  auto parse = [](const std::string& text, MediaKind kind,
                  std::vector<CodecCapability>& out) -> std::optional<std::string> {
    auto parts = sdp::text::split(text, '/');
    auto bad = [&](std::string why) {
      return std::optional<std::string>("codec \"" + text + "\": " + why);
    };
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty()) return bad("expected <name>/<clock rate>[/<channels>]");
    auto rate = sdp::text::parse_uint(parts[1], UINT32_MAX);
    if (!rate) return bad("clock rate is not a number");
    std::optional<uint32_t> channels;
    if (parts.size() == 3) {
      auto ch = sdp::text::parse_uint(parts[2], 255);
      if (!ch) return bad("channel count is not a number");
      channels = static_cast<uint32_t>(*ch);
    }
    auto c = known_codec(parts[0], static_cast<uint32_t>(*rate), channels);
    if (!c) return bad("not a codec this server supports");
    const bool audio_codec = c->name == "opus" || c->name == "PCMU" || c->name == "PCMA";
    if (audio_codec != (kind == MediaKind::Audio)) return bad(kind == MediaKind::Audio ? "not an audio codec" : "not a video codec");
    out.push_back(std::move(*c));
    return std::nullopt;
  };
  caps.audio_codecs.clear();
  caps.video_codecs.clear();
  for (const auto& a : audio)
    if (auto e = parse(a, MediaKind::Audio, caps.audio_codecs)) return *e;
  for (const auto& v : video)
    if (auto e = parse(v, MediaKind::Video, caps.video_codecs)) return *e;
  return caps;
}

const std::vector<CodecCapability>& LocalCapabilities::codecs(MediaKind kind) const {
  static const std::vector<CodecCapability> kNone;
  if (kind == MediaKind::Audio) return audio_codecs;
  if (kind == MediaKind::Video) return video_codecs;
  return kNone;
}

bool LocalCapabilities::supports_extension(std::string_view uri, MediaKind kind) const {
  for (const auto& e : header_extensions)
    if (e.uri == uri && ((kind == MediaKind::Audio && e.audio) || (kind == MediaKind::Video && e.video))) return true;
  return false;
}

}  // namespace medley::rtp::negotiation

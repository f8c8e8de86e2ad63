// What this server can send and receive, as Kurento configures it (SdpEndpoint.conf.json audioCodecs/videoCodecs
// names such as "opus/48000/2" or "VP8/90000"): codecs with their RTCP feedback and fmtp, header extensions,
// RTX, data channels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/base/frame.hpp"
#include "rtp/base/result.hpp"
#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/sdp/rtp_attributes.hpp"

namespace medley::rtp::negotiation {

struct FeedbackCapability {
  std::string type;     // "nack", "ccm", "goog-remb", "transport-cc"
  std::string subtype;  // "", "pli", "fir"
  bool operator==(const FeedbackCapability&) const = default;
};

struct CodecCapability {
  std::string name;  // as SDP writes it: "opus", "PCMU", "VP8", "H264"
  uint32_t clock_rate = 0;
  std::optional<uint32_t> channels;  // audio: 1 when absent (RFC 8866 section 6.6)
  // Our receive parameters, written in offers and answers. For H.264 they also constrain matching: the
  // packetization-mode must be equal and the profile the same (profile-level-id's level is our maximum).
  std::string fmtp;
  std::vector<FeedbackCapability> feedback;
  // Static payload type (RFC 3551) used in our offers; dynamic types are assigned from 96.
  std::optional<uint8_t> static_payload_type;

  base::CodecId codec_id() const { return base::codec_from_name(name); }
  // "opus/48000/2", as Kurento's configuration and logs name it.
  std::string config_name() const;
};

struct HeaderExtensionCapability {
  std::string uri;
  bool audio = true;
  bool video = true;
};

struct DataChannelCapability {
  bool enabled = true;
  uint16_t sctp_port = 5000;            // RFC 8841 section 5
  uint64_t max_message_size = 262144;  // what we accept (RFC 8841 section 6); libwebrtc's value
};

namespace extension_uri {
inline constexpr std::string_view kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr std::string_view kRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr std::string_view kRepairedRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr std::string_view kAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr std::string_view kTransportWideCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr std::string_view kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
}  // namespace extension_uri

struct LocalCapabilities {
  std::vector<CodecCapability> audio_codecs;  // in our order of preference (used in our offers)
  std::vector<CodecCapability> video_codecs;
  std::vector<HeaderExtensionCapability> header_extensions;
  bool rtx = true;  // RFC 4588 retransmission for video codecs
  DataChannelCapability data;

  // Kurento's defaults: opus/48000/2, PCMU/8000, PCMA/8000; VP8/90000, H264/90000, VP9/90000 (Constrained
  // Baseline 3.1 packetization-mode 1 for H.264, profile 0 for VP9), the usual extensions, RTX, data channels.
  static LocalCapabilities defaults();
  // From SdpEndpoint.conf.json-style names; an unknown codec or malformed name is an error naming it.
  static base::Result<LocalCapabilities, std::string> from_codec_names(const std::vector<std::string>& audio,
                                                    const std::vector<std::string>& video);
  // The codec as we support it by default (feedback, fmtp), or nullopt if we do not know it.
  static std::optional<CodecCapability> known_codec(std::string_view name, uint32_t clock_rate,
                                                    std::optional<uint32_t> channels);

  const std::vector<CodecCapability>& codecs(MediaKind kind) const;
  bool supports_extension(std::string_view uri, MediaKind kind) const;
};

}  // namespace medley::rtp::negotiation

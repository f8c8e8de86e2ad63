// RTP header extensions (RFC 8285): the URIs we know, the id<->type map built from SDP extmap, and typed values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "rtp/base/bytes.hpp"
#include "rtp/base/time.hpp"

namespace medley::rtp {

enum class ExtensionType : uint8_t {
  None = 0,
  AbsSendTime,              // 24-bit 6.18 fixed-point seconds (webrtc.org abs-send-time)
  TransportSequenceNumber,  // uint16 transport-wide sequence (draft-holmer-rmcat-transport-wide-cc-extensions-01)
  Mid,                      // RFC 8843
  Rid,                      // RFC 8852 rtp-stream-id
  RepairedRid,              // RFC 8852 repaired-rtp-stream-id
  AudioLevel,               // RFC 6464
  VideoOrientation,         // 3GPP TS 26.114 §7.4.5 (CVO)
  TransmissionOffset,       // RFC 5450 toffset
  AbsCaptureTime,           // webrtc.org abs-capture-time
  PlayoutDelay,             // webrtc.org playout-delay
  VideoContentType,         // webrtc.org video-content-type
  VideoTiming,              // webrtc.org video-timing
};
inline constexpr size_t kExtensionTypeCount = 13;

namespace uri {
inline constexpr std::string_view kAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr std::string_view kTransportSequenceNumber =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr std::string_view kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr std::string_view kRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr std::string_view kRepairedRid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr std::string_view kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr std::string_view kVideoOrientation = "urn:3gpp:video-orientation";
inline constexpr std::string_view kTransmissionOffset = "urn:ietf:params:rtp-hdrext:toffset";
inline constexpr std::string_view kAbsCaptureTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";
inline constexpr std::string_view kPlayoutDelay = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
inline constexpr std::string_view kVideoContentType = "http://www.webrtc.org/experiments/rtp-hdrext/video-content-type";
inline constexpr std::string_view kVideoTiming = "http://www.webrtc.org/experiments/rtp-hdrext/video-timing";
}  // namespace uri

std::string_view extension_uri(ExtensionType type);                       // "" for None
std::optional<ExtensionType> extension_type_from_uri(std::string_view uri);  // nullopt for URIs we do not know

// Local ids (1-255) bound to extension types for one session, as negotiated by SDP a=extmap.
// Lookups both ways are one array load: the map is consulted once per packet per extension.
class ExtensionMap {
 public:
  // Binds id to type (replacing what id meant before). False for id 0 or type None.
  // Should a type be bound to two ids, type->id answers the first; both ids parse as that type.
  bool register_extension(uint8_t id, ExtensionType type);
  // Binds id to the type named by an SDP extmap URI. False (nothing bound) for a URI we do not know.
  bool register_uri(uint8_t id, std::string_view uri);
  void unregister(uint8_t id);
  void clear();

  ExtensionType type_of(uint8_t id) const { return types_[id]; }
  uint8_t id_of(ExtensionType type) const { return ids_[static_cast<size_t>(type)]; }  // 0 when not bound
  bool empty() const;

 private:
  std::array<ExtensionType, 256> types_{};
  std::array<uint8_t, kExtensionTypeCount> ids_{};  // index 0 (None) stays 0
};

// ---- Typed values ---------------------------------------------------------------------------------------------

// RFC 6464: V bit and the level as -dBov, 0 (loudest) to 127 (silence).
struct AudioLevel {
  bool voice_activity = false;
  uint8_t level = 127;
  constexpr bool operator==(const AudioLevel&) const = default;
};

// TS 26.114 CVO byte 0000CFRR: camera (false = front), horizontal flip, rotation counter-clockwise.
struct VideoOrientation {
  bool back_camera = false;
  bool flip = false;
  uint16_t rotation_degrees = 0;  // 0, 90, 180 or 270
  constexpr bool operator==(const VideoOrientation&) const = default;
};

// abs-capture-time: NTP UQ32.32 capture time, optionally with the sender's Q32.32 estimate of its clock offset.
struct AbsCaptureTime {
  uint64_t absolute_capture_timestamp = 0;
  std::optional<int64_t> estimated_capture_clock_offset;
  constexpr bool operator==(const AbsCaptureTime&) const = default;
};

// playout-delay: two 12-bit values in 10 ms units.
struct PlayoutDelay {
  uint16_t min_10ms = 0;
  uint16_t max_10ms = 0;
  constexpr bool operator==(const PlayoutDelay&) const = default;
};

// video-timing: ms deltas from the capture time (libwebrtc's 13-byte form; the legacy 12-byte form has no flags).
struct VideoTiming {
  uint8_t flags = 0;
  uint16_t encode_start_delta_ms = 0;
  uint16_t encode_finish_delta_ms = 0;
  uint16_t packetization_finish_delta_ms = 0;
  uint16_t pacer_exit_delta_ms = 0;
  uint16_t network_timestamp_delta_ms = 0;
  uint16_t network2_timestamp_delta_ms = 0;
  constexpr bool operator==(const VideoTiming&) const = default;
};

// abs-send-time is 6.18 fixed-point seconds modulo 64 s.
constexpr uint32_t abs_send_time_from(base::Timestamp t) {
  constexpr int64_t kWrapUs = 64'000'000;  // reduce first so the shift cannot overflow for any clock value
  const auto us = static_cast<uint64_t>(((t.us() % kWrapUs) + kWrapUs) % kWrapUs);
  return static_cast<uint32_t>(((us << 18) + 500'000) / 1'000'000) & 0xFFFFFF;
}
constexpr base::Duration abs_send_time_to_duration(uint32_t v24) {
  return base::Duration::micros(static_cast<int64_t>((uint64_t{v24 & 0xFFFFFF} * 1'000'000) >> 18));
}

// ---- Codecs: one traits struct per type. parse() takes the element's value bytes (length already bounded by the
// packet view) and returns nullopt when they are malformed; size()/write() serialize for RtpPacketWriter.

namespace ext {

struct AbsSendTime {
  static constexpr ExtensionType kType = ExtensionType::AbsSendTime;
  using Value = uint32_t;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 3) return std::nullopt;
    return base::load_be24(b.data());
  }
  static size_t size(Value) { return 3; }
  static void write(uint8_t* out, Value v) { base::store_be24(out, v & 0xFFFFFF); }
};

struct TransportSequenceNumber {
  static constexpr ExtensionType kType = ExtensionType::TransportSequenceNumber;
  using Value = uint16_t;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 2) return std::nullopt;
    return base::load_be16(b.data());
  }
  static size_t size(Value) { return 2; }
  static void write(uint8_t* out, Value v) { base::store_be16(out, v); }
};

// SDES items carried as extensions (RFC 8843/8852): non-empty text; like libwebrtc we stop at a NUL some
// senders pad with, and refuse a value that starts with one.
struct SdesString {
  using Value = std::string_view;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.empty() || b[0] == 0) return std::nullopt;
    size_t n = 1;  // values are a few bytes: a loop beats a memchr call
    while (n < b.size() && b[n] != 0) ++n;
    return Value(reinterpret_cast<const char*>(b.data()), n);
  }
  static size_t size(Value v) { return v.size(); }  // the writer refuses 0 and > 255
  static void write(uint8_t* out, Value v) { std::memcpy(out, v.data(), v.size()); }
};
struct Mid : SdesString {
  static constexpr ExtensionType kType = ExtensionType::Mid;
};
struct Rid : SdesString {
  static constexpr ExtensionType kType = ExtensionType::Rid;
};
struct RepairedRid : SdesString {
  static constexpr ExtensionType kType = ExtensionType::RepairedRid;
};

struct AudioLevel {
  static constexpr ExtensionType kType = ExtensionType::AudioLevel;
  using Value = rtp::AudioLevel;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 1) return std::nullopt;
    return Value{(b[0] & 0x80) != 0, static_cast<uint8_t>(b[0] & 0x7F)};
  }
  static size_t size(const Value&) { return 1; }
  static void write(uint8_t* out, const Value& v) {
    out[0] = static_cast<uint8_t>((v.voice_activity ? 0x80 : 0) | (v.level & 0x7F));
  }
};

struct VideoOrientation {
  static constexpr ExtensionType kType = ExtensionType::VideoOrientation;
  using Value = rtp::VideoOrientation;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 1) return std::nullopt;
    return Value{(b[0] & 0x08) != 0, (b[0] & 0x04) != 0, static_cast<uint16_t>((b[0] & 0x03) * 90)};
  }
  static size_t size(const Value&) { return 1; }
  static void write(uint8_t* out, const Value& v) {
    out[0] = static_cast<uint8_t>((v.back_camera ? 0x08 : 0) | (v.flip ? 0x04 : 0) | ((v.rotation_degrees / 90) & 3));
  }
};

// RFC 5450: a signed 24-bit offset in RTP timestamp units.
struct TransmissionOffset {
  static constexpr ExtensionType kType = ExtensionType::TransmissionOffset;
  using Value = int32_t;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 3) return std::nullopt;
    uint32_t v = base::load_be24(b.data());
    return static_cast<int32_t>(v ^ 0x800000) - 0x800000;
  }
  static size_t size(Value) { return 3; }
  static void write(uint8_t* out, Value v) { base::store_be24(out, static_cast<uint32_t>(v) & 0xFFFFFF); }
};

struct AbsCaptureTime {
  static constexpr ExtensionType kType = ExtensionType::AbsCaptureTime;
  using Value = rtp::AbsCaptureTime;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 8 && b.size() != 16) return std::nullopt;
    Value v;
    v.absolute_capture_timestamp = base::load_be64(b.data());
    if (b.size() == 16) v.estimated_capture_clock_offset = static_cast<int64_t>(base::load_be64(b.data() + 8));
    return v;
  }
  static size_t size(const Value& v) { return v.estimated_capture_clock_offset ? 16 : 8; }
  static void write(uint8_t* out, const Value& v) {
    base::store_be64(out, v.absolute_capture_timestamp);
    if (v.estimated_capture_clock_offset) {
      base::store_be64(out + 8, static_cast<uint64_t>(*v.estimated_capture_clock_offset));
    }
  }
};

struct PlayoutDelay {
  static constexpr ExtensionType kType = ExtensionType::PlayoutDelay;
  using Value = rtp::PlayoutDelay;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 3) return std::nullopt;
    uint32_t v = base::load_be24(b.data());
    return Value{static_cast<uint16_t>(v >> 12), static_cast<uint16_t>(v & 0xFFF)};
  }
  static size_t size(const Value&) { return 3; }
  static void write(uint8_t* out, const Value& v) {
    base::store_be24(out, (uint32_t{v.min_10ms} & 0xFFF) << 12 | (v.max_10ms & 0xFFF));
  }
};

struct VideoContentType {
  static constexpr ExtensionType kType = ExtensionType::VideoContentType;
  using Value = uint8_t;  // 0 unspecified, 1 screenshare
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 1) return std::nullopt;
    return b[0];
  }
  static size_t size(Value) { return 1; }
  static void write(uint8_t* out, Value v) { out[0] = v; }
};

struct VideoTiming {
  static constexpr ExtensionType kType = ExtensionType::VideoTiming;
  using Value = rtp::VideoTiming;
  static std::optional<Value> parse(base::Bytes b) {
    if (b.size() != 13 && b.size() != 12) return std::nullopt;
    Value v;
    const uint8_t* p = b.data();
    if (b.size() == 13) v.flags = *p++;
    v.encode_start_delta_ms = base::load_be16(p);
    v.encode_finish_delta_ms = base::load_be16(p + 2);
    v.packetization_finish_delta_ms = base::load_be16(p + 4);
    v.pacer_exit_delta_ms = base::load_be16(p + 6);
    v.network_timestamp_delta_ms = base::load_be16(p + 8);
    v.network2_timestamp_delta_ms = base::load_be16(p + 10);
    return v;
  }
  static size_t size(const Value&) { return 13; }
  static void write(uint8_t* out, const Value& v) {
    out[0] = v.flags;
    base::store_be16(out + 1, v.encode_start_delta_ms);
    base::store_be16(out + 3, v.encode_finish_delta_ms);
    base::store_be16(out + 5, v.packetization_finish_delta_ms);
    base::store_be16(out + 7, v.pacer_exit_delta_ms);
    base::store_be16(out + 9, v.network_timestamp_delta_ms);
    base::store_be16(out + 11, v.network2_timestamp_delta_ms);
  }
};

}  // namespace ext
}  // namespace medley::rtp

// Synthetic VP8/Opus payloads and the send-time trailer (see synthetic_media.hpp).
#include "bench/loadgen/synthetic_media.hpp"

#include <algorithm>
#include <cstring>

namespace medley::loadgen {

namespace {

void store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

uint32_t load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

void write_trailer(std::span<uint8_t> payload, int64_t send_ns) {
  if (payload.size() < kTrailerSize) return;
  uint8_t* p = payload.data() + payload.size() - kTrailerSize;
  store32(p, kTrailerMagic);
  const auto v = static_cast<uint64_t>(send_ns);
  store32(p + 4, static_cast<uint32_t>(v >> 32));
  store32(p + 8, static_cast<uint32_t>(v));
}

std::optional<int64_t> read_trailer(std::span<const uint8_t> payload) {
  if (payload.size() < kTrailerSize) return std::nullopt;
  const uint8_t* p = payload.data() + payload.size() - kTrailerSize;
  if (load32(p) != kTrailerMagic) return std::nullopt;
  return static_cast<int64_t>((uint64_t{load32(p + 4)} << 32) | load32(p + 8));
}

void fill_vp8_payload(std::span<uint8_t> payload, bool first_of_frame, bool keyframe) {
  std::memset(payload.data(), 0, payload.size());
  if (payload.size() < kMinVideoPayload) return;
  // RFC 7741 §4.2: X=0, N=0, S=1 on the first packet of the frame, PID=0.
  payload[0] = first_of_frame ? 0x10 : 0x00;
  if (!first_of_frame) return;
  // RFC 6386 §9.1: frame tag, 3 bytes: bit 0 = !keyframe, version 0, show_frame, first partition size.
  const uint32_t first_part = 64;
  const uint32_t tag = (keyframe ? 0u : 1u) | (1u << 4) | (first_part << 5);
  payload[1] = static_cast<uint8_t>(tag);
  payload[2] = static_cast<uint8_t>(tag >> 8);
  payload[3] = static_cast<uint8_t>(tag >> 16);
  if (keyframe) {
    // Start code, then 14-bit width and height (little endian, no scaling): 640x360.
    payload[4] = 0x9d;
    payload[5] = 0x01;
    payload[6] = 0x2a;
    payload[7] = 640 & 0xff;
    payload[8] = 640 >> 8;
    payload[9] = 360 & 0xff;
    payload[10] = 360 >> 8;
  }
}

void fill_opus_payload(std::span<uint8_t> payload) {
  std::memset(payload.data(), 0, payload.size());
  // RFC 6716 §3.1: config 31 (CELT-only FB 20 ms), mono, code 0.
  if (!payload.empty()) payload[0] = 31 << 3;
}

FrameSizes frame_sizes(const MediaConfig& config) {
  const double interval_s = config.keyframe_interval_ms / 1000.0;
  const double frames = std::max(1.0, interval_s * config.fps);
  const double bytes = config.video_kbps * 1000.0 / 8.0 * interval_s;
  const double delta = bytes / (frames - 1 + config.keyframe_factor);
  FrameSizes s;
  s.delta_bytes = std::max<size_t>(kMinVideoPayload, static_cast<size_t>(delta));
  s.key_bytes = std::max<size_t>(kMinVideoPayload, static_cast<size_t>(delta * config.keyframe_factor));
  return s;
}

size_t frame_packet_count(const MediaConfig& config, size_t frame_bytes) {
  const size_t max = std::max(config.packet_size, kMinVideoPayload);
  return std::max<size_t>(1, (frame_bytes + max - 1) / max);
}

}  // namespace medley::loadgen

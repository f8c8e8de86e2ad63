// The codec configuration boxes of MP4 sample entries: avcC (ISO/IEC 14496-15 5.3.3), vpcC (VP Codec ISO Media
// File Format Binding 2.3) and dOps (Opus in ISO BMFF 4.3.2), written and parsed; plus Opus packet durations.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mux/mp4_box.hpp"
#include "rtp/base/bytes.hpp"

namespace medley::mux {

struct AvcConfig {
  uint8_t profile = 0;
  uint8_t compatibility = 0;
  uint8_t level = 0;
  uint8_t length_size = 4;  // bytes of each NAL unit's length prefix in samples: 1, 2 or 4
  std::vector<std::vector<uint8_t>> sps;
  std::vector<std::vector<uint8_t>> pps;
};
// Writes a whole avcC box for one SPS and one PPS (NAL units without start codes); High profiles get the
// chroma/bit-depth trailer 14496-15 requires, read from the SPS. False if the SPS is shorter than 4 bytes.
bool write_avcc(BoxBuilder& b, base::Bytes sps, base::Bytes pps);
// Parses an avcC payload; at most 32 parameter sets of each kind are kept.
std::optional<AvcConfig> parse_avcc(base::Bytes payload);

struct Vp9Config {
  uint8_t profile = 0;
  uint8_t level = 0;
  uint8_t bit_depth = 8;
  uint8_t chroma_subsampling = 1;  // 4:2:0 co-located with luma
  bool full_range = false;
  uint8_t colour_primaries = 2;    // 2 = unspecified (ISO/IEC 23001-8)
  uint8_t transfer = 2;
  uint8_t matrix = 2;
};
void write_vpcc(BoxBuilder& b, const Vp9Config& c);
std::optional<Vp9Config> parse_vpcc(base::Bytes payload);  // version 1 (and the older version 0 layout)
uint8_t vp9_level_for(uint32_t width, uint32_t height);    // smallest VP9 level whose picture size fits

struct OpusConfig {
  uint8_t channels = 2;
  uint16_t pre_skip = 0;
  uint32_t input_sample_rate = 48000;
  int16_t output_gain = 0;
  uint8_t mapping_family = 0;
};
void write_dops(BoxBuilder& b, const OpusConfig& c);
std::optional<OpusConfig> parse_dops(base::Bytes payload);

// Samples at 48 kHz in an Opus packet from its TOC byte (RFC 6716 3.1); 0 when malformed.
uint32_t opus_packet_samples(base::Bytes packet);

}  // namespace medley::mux

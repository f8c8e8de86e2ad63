// avcC, vpcC and dOps boxes, and Opus packet durations.
#include "mux/mp4_codec_config.hpp"

#include "rtp/payload/h264_sps.hpp"

namespace medley::mux {

namespace {
bool is_high_profile(uint8_t p) { return p == 100 || p == 110 || p == 122 || p == 144; }

struct ChromaInfo {
  uint32_t chroma_format = 1;
  uint32_t luma_depth_minus8 = 0;
  uint32_t chroma_depth_minus8 = 0;
};
// H.264 7.3.2.1.1 up to bit_depth_chroma_minus8, for High profiles.
ChromaInfo read_chroma_info(base::Bytes sps) {
  ChromaInfo c;
  rtp::BitReader r(sps.subspan(4), true);  // past NAL header, profile, constraints, level
  r.ue();                                  // seq_parameter_set_id
  uint32_t cf = r.ue();
  if (cf == 3) r.skip_bits(1);             // separate_colour_plane_flag
  uint32_t luma = r.ue();
  uint32_t chroma = r.ue();
  if (r.ok() && cf <= 3 && luma <= 7 && chroma <= 7) {
    c.chroma_format = cf;
    c.luma_depth_minus8 = luma;
    c.chroma_depth_minus8 = chroma;
  }
  return c;
}
}  // namespace

bool write_avcc(BoxBuilder& b, base::Bytes sps, base::Bytes pps) {
  if (sps.size() < 4 || sps.size() > 0xffff || pps.size() > 0xffff) return false;
  size_t box = b.begin(fourcc("avcC"));
  b.u8(1);  // configurationVersion
  b.u8(sps[1]);
  b.u8(sps[2]);
  b.u8(sps[3]);
  b.u8(0xfc | 3);  // lengthSizeMinusOne = 3
  b.u8(0xe0 | 1);
  b.u16(static_cast<uint16_t>(sps.size()));
  b.bytes(sps);
  b.u8(pps.empty() ? 0 : 1);
  if (!pps.empty()) {
    b.u16(static_cast<uint16_t>(pps.size()));
    b.bytes(pps);
  }
  if (is_high_profile(sps[1])) {
    ChromaInfo c = read_chroma_info(sps);
    b.u8(static_cast<uint8_t>(0xfc | c.chroma_format));
    b.u8(static_cast<uint8_t>(0xf8 | c.luma_depth_minus8));
    b.u8(static_cast<uint8_t>(0xf8 | c.chroma_depth_minus8));
    b.u8(0);  // numOfSequenceParameterSetExt
  }
  b.end(box);
  return true;
}

std::optional<AvcConfig> parse_avcc(base::Bytes payload) {
  constexpr size_t kMaxSets = 32;
  base::ByteReader r(payload);
  AvcConfig c;
  if (r.u8() != 1) return std::nullopt;
  c.profile = r.u8();
  c.compatibility = r.u8();
  c.level = r.u8();
  uint8_t len = (r.u8() & 3) + 1;
  if (len == 3) return std::nullopt;
  c.length_size = len;
  size_t nsps = r.u8() & 0x1f;
  for (size_t i = 0; i < nsps && r.ok(); ++i) {
    base::Bytes s = r.bytes(r.u16());
    if (r.ok() && !s.empty() && c.sps.size() < kMaxSets) c.sps.emplace_back(s.begin(), s.end());
  }
  size_t npps = r.u8();
  for (size_t i = 0; i < npps && r.ok(); ++i) {
    base::Bytes s = r.bytes(r.u16());
    if (r.ok() && !s.empty() && c.pps.size() < kMaxSets) c.pps.emplace_back(s.begin(), s.end());
  }
  if (!r.ok()) return std::nullopt;  // the High-profile trailer, if any, is not needed
  return c;
}

void write_vpcc(BoxBuilder& b, const Vp9Config& c) {
  size_t box = b.begin_full(fourcc("vpcC"), 1, 0);
  b.u8(c.profile);
  b.u8(c.level);
  b.u8(static_cast<uint8_t>((c.bit_depth << 4) | ((c.chroma_subsampling & 7) << 1) | (c.full_range ? 1 : 0)));
  b.u8(c.colour_primaries);
  b.u8(c.transfer);
  b.u8(c.matrix);
  b.u16(0);  // codecIntializationDataSize: must be 0 for VP9
  b.end(box);
}

std::optional<Vp9Config> parse_vpcc(base::Bytes payload) {
  base::ByteReader r(payload);
  FullBoxHeader h = read_full_box(r);
  Vp9Config c;
  c.profile = r.u8();
  c.level = r.u8();
  uint8_t v = r.u8();
  if (h.version == 0) {  // bitDepth(4) colorSpace(4), then subsampling(4) transfer(3) fullRange(1)
    c.bit_depth = v >> 4;
    uint8_t w = r.u8();
    c.chroma_subsampling = w >> 4;
    c.full_range = (w & 1) != 0;
  } else {
    c.bit_depth = v >> 4;
    c.chroma_subsampling = (v >> 1) & 7;
    c.full_range = (v & 1) != 0;
    c.colour_primaries = r.u8();
    c.transfer = r.u8();
    c.matrix = r.u8();
  }
  if (!r.ok()) return std::nullopt;
  return c;
}

uint8_t vp9_level_for(uint32_t width, uint32_t height) {
  // VP9 levels (webmproject.org/vp9/levels): maximum luma picture size per level.
  struct Level {
    uint64_t picture_size;
    uint8_t level;
  };
  static constexpr Level kLevels[] = {{36864, 10},    {73728, 11},    {122880, 20},   {245760, 21},
                                      {552960, 30},   {983040, 31},   {2228224, 40},  {8912896, 50},
                                      {35651584, 60}};
  uint64_t size = uint64_t{width} * height;
  for (const Level& l : kLevels) {
    if (size <= l.picture_size) return l.level;
  }
  return 62;
}

void write_dops(BoxBuilder& b, const OpusConfig& c) {
  size_t box = b.begin(fourcc("dOps"));
  b.u8(0);  // Version
  b.u8(c.channels);
  b.u16(c.pre_skip);
  b.u32(c.input_sample_rate);
  b.u16(static_cast<uint16_t>(c.output_gain));
  b.u8(c.mapping_family);  // 0: mono or stereo, no mapping table
  b.end(box);
}

std::optional<OpusConfig> parse_dops(base::Bytes payload) {
  base::ByteReader r(payload);
  OpusConfig c;
  if (r.u8() != 0) return std::nullopt;
  c.channels = r.u8();
  c.pre_skip = r.u16();
  c.input_sample_rate = r.u32();
  c.output_gain = static_cast<int16_t>(r.u16());
  c.mapping_family = r.u8();
  if (!r.ok() || c.channels == 0) return std::nullopt;
  return c;
}

uint32_t opus_packet_samples(base::Bytes packet) {
  if (packet.empty()) return 0;
  uint8_t toc = packet[0];
  uint32_t config = toc >> 3;
  uint32_t per_frame;  // at 48 kHz
  if (config < 12) {
    static constexpr uint32_t kSilk[4] = {480, 960, 1920, 2880};
    per_frame = kSilk[config & 3];
  } else if (config < 16) {
    per_frame = (config & 1) ? 960 : 480;
  } else {
    static constexpr uint32_t kCelt[4] = {120, 240, 480, 960};
    per_frame = kCelt[config & 3];
  }
  uint32_t frames;
  switch (toc & 3) {
    case 0: frames = 1; break;
    case 1:
    case 2: frames = 2; break;
    default:
      if (packet.size() < 2) return 0;
      frames = packet[1] & 0x3f;
      break;
  }
  uint32_t total = frames * per_frame;
  return (frames == 0 || total > 5760) ? 0 : total;  // 120 ms at most
}

}  // namespace medley::mux

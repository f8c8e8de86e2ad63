// H.264 SPS reader: exp-Golomb bit reading with emulation prevention, and the picture size (7.3.2.1.1, 7.4.2.1.1).
#include "rtp/payload/h264_sps.hpp"

namespace medley::rtp {

bool BitReader::load_byte() {
  if (!ok_) return false;
  if (rbsp_ && zeros_ >= 2 && pos_ < data_.size() && data_[pos_] == 0x03) {
    ++pos_;
    zeros_ = 0;
  }
  if (pos_ >= data_.size()) {
    ok_ = false;
    return false;
  }
  cur_ = data_[pos_++];
  zeros_ = cur_ == 0 ? zeros_ + 1 : 0;
  left_ = 8;
  return true;
}

uint32_t BitReader::bits(unsigned n) {
  uint32_t v = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (left_ == 0 && !load_byte()) return 0;
    --left_;
    v = (v << 1) | ((cur_ >> left_) & 1u);
  }
  return ok_ ? v : 0;
}

void BitReader::skip_bits(unsigned n) {
  for (unsigned i = 0; i < n && ok_; ++i) bits(1);
}

uint32_t BitReader::ue() {
  unsigned zeros = 0;
  while (ok_ && bits(1) == 0) {
    if (!ok_) return 0;
    if (++zeros > 31) {
      ok_ = false;
      return 0;
    }
  }
  if (!ok_) return 0;
  if (zeros == 0) return 0;
  uint64_t v = (uint64_t{1} << zeros) - 1 + bits(zeros);
  if (!ok_ || v > 0xfffffffeu) {
    ok_ = false;
    return 0;
  }
  return static_cast<uint32_t>(v);
}

int32_t BitReader::se() {
  uint32_t k = ue();
  // 9.1.1: k odd -> positive (k+1)/2, k even -> -(k/2).
  if (k & 1u) return static_cast<int32_t>((k >> 1) + 1);
  return -static_cast<int32_t>(k >> 1);
}

namespace {

// 7.3.2.1.1.1: only walked to stay aligned with the fields after it.
bool skip_scaling_list(BitReader& r, int size) {
  int last = 8;
  int next = 8;
  for (int j = 0; j < size; ++j) {
    if (next != 0) {
      int32_t delta = r.se();
      if (!r.ok() || delta < -128 || delta > 127) return false;
      next = (last + delta + 256) % 256;
    }
    last = next == 0 ? last : next;
  }
  return r.ok();
}

bool has_chroma_info(uint8_t profile_idc) {
  switch (profile_idc) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128: case 138: case 139:
    case 134: case 135:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<H264Sps> parse_h264_sps(base::Bytes nal) {
  if (nal.size() < 4 || (nal[0] & 0x1f) != 7) return std::nullopt;
  BitReader r(nal.subspan(1), /*rbsp=*/true);
  H264Sps sps;
  sps.profile_idc = static_cast<uint8_t>(r.bits(8));
  sps.constraint_flags = static_cast<uint8_t>(r.bits(8));
  sps.level_idc = static_cast<uint8_t>(r.bits(8));
  sps.sps_id = r.ue();
  if (!r.ok() || sps.sps_id > 31) return std::nullopt;

  uint32_t chroma_format_idc = 1;  // 4:2:0 unless the high profiles say otherwise
  bool separate_colour_plane = false;
  if (has_chroma_info(sps.profile_idc)) {
    chroma_format_idc = r.ue();
    if (chroma_format_idc > 3) return std::nullopt;
    if (chroma_format_idc == 3) separate_colour_plane = r.flag();
    if (r.ue() > 6 || r.ue() > 6) return std::nullopt;  // bit_depth_luma/chroma_minus8
    r.skip_bits(1);                                     // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {                                     // seq_scaling_matrix_present_flag
      int lists = chroma_format_idc != 3 ? 8 : 12;
      for (int i = 0; i < lists; ++i) {
        if (r.flag() && !skip_scaling_list(r, i < 6 ? 16 : 64)) return std::nullopt;
      }
    }
  }
  if (r.ue() > 12) return std::nullopt;  // log2_max_frame_num_minus4
  uint32_t poc_type = r.ue();
  if (poc_type == 0) {
    if (r.ue() > 12) return std::nullopt;  // log2_max_pic_order_cnt_lsb_minus4
  } else if (poc_type == 1) {
    r.skip_bits(1);  // delta_pic_order_always_zero_flag
    r.se();          // offset_for_non_ref_pic
    r.se();          // offset_for_top_to_bottom_field
    uint32_t cycle = r.ue();
    if (cycle > 255) return std::nullopt;
    for (uint32_t i = 0; i < cycle && r.ok(); ++i) r.se();
  } else if (poc_type != 2) {
    return std::nullopt;
  }
  r.ue();          // max_num_ref_frames
  r.skip_bits(1);  // gaps_in_frame_num_value_allowed_flag
  uint32_t width_mbs = r.ue() + 1u;
  uint32_t height_map_units = r.ue() + 1u;
  bool frame_mbs_only = r.flag();
  if (!frame_mbs_only) r.skip_bits(1);  // mb_adaptive_frame_field_flag
  r.skip_bits(1);                       // direct_8x8_inference_flag
  uint32_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  if (r.flag()) {
    crop_left = r.ue();
    crop_right = r.ue();
    crop_top = r.ue();
    crop_bottom = r.ue();
  }
  if (!r.ok() || width_mbs > 4096 || height_map_units > 4096) return std::nullopt;

  // 7.4.2.1.1: crop offsets count in chroma sample units (and field pairs for interlaced streams).
  uint32_t frame_height_factor = frame_mbs_only ? 1 : 2;
  uint32_t crop_unit_x = 1;
  uint32_t crop_unit_y = frame_height_factor;
  if (!separate_colour_plane && chroma_format_idc != 0) {
    uint32_t sub_width_c = chroma_format_idc == 3 ? 1 : 2;
    uint32_t sub_height_c = chroma_format_idc == 1 ? 2 : 1;
    crop_unit_x = sub_width_c;
    crop_unit_y = sub_height_c * frame_height_factor;
  }
  uint64_t width = uint64_t{width_mbs} * 16;
  uint64_t height = uint64_t{height_map_units} * 16 * frame_height_factor;
  uint64_t crop_x = (uint64_t{crop_left} + crop_right) * crop_unit_x;
  uint64_t crop_y = (uint64_t{crop_top} + crop_bottom) * crop_unit_y;
  if (crop_x >= width || crop_y >= height) return std::nullopt;
  width -= crop_x;
  height -= crop_y;
  if (width > 0xffff || height > 0xffff) return std::nullopt;
  sps.width = static_cast<uint16_t>(width);
  sps.height = static_cast<uint16_t>(height);
  return sps;
}

}  // namespace medley::rtp

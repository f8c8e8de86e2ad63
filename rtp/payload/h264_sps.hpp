// A bounds-checked bit reader (fixed-width and exp-Golomb, with H.264 emulation prevention) and the H.264 SPS
// fields the media path needs: profile, level and the cropped picture size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "rtp/base/bytes.hpp"

namespace medley::rtp {

// Reads bits MSB first. A read past the end returns 0 and leaves ok() false for good, like base::ByteReader.
// With rbsp=true it drops emulation_prevention_three_byte (00 00 03 -> 00 00), H.264 7.4.1, so a NAL unit's
// payload can be read as its RBSP without copying.
class BitReader {
 public:
  explicit BitReader(base::Bytes data, bool rbsp = false) : data_(data), rbsp_(rbsp) {}

  bool ok() const { return ok_; }
  uint32_t bits(unsigned n);  // n <= 32
  bool flag() { return bits(1) != 0; }
  uint32_t ue();              // ue(v), 9.1; values above 2^32-2 (more than 31 leading zeros) fail
  int32_t se();               // se(v), 9.1.1
  void skip_bits(unsigned n);

 private:
  bool load_byte();

  base::Bytes data_;
  bool rbsp_;
  size_t pos_ = 0;        // next byte of data_ to load
  unsigned zeros_ = 0;    // consecutive 0x00 bytes just loaded, for emulation prevention
  uint8_t cur_ = 0;       // current byte
  unsigned left_ = 0;     // unread bits in cur_
  bool ok_ = true;
};

struct H264Sps {
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;
  uint8_t level_idc = 0;
  uint32_t sps_id = 0;
  uint16_t width = 0;   // luma samples after frame cropping
  uint16_t height = 0;
};

// Parses a sequence parameter set NAL unit (starting at its one-byte NAL header, type 7), H.264 7.3.2.1.1.
// std::nullopt when truncated, out of range, or the size is zero or above 65535.
std::optional<H264Sps> parse_h264_sps(base::Bytes nal);

}  // namespace medley::rtp

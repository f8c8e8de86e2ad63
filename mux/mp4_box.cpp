// ISO BMFF box builder and bounds-checked box iterator.
#include "mux/mp4_box.hpp"

namespace medley::mux {

size_t BoxBuilder::begin(uint32_t type) {
  size_t at = out_.size();
  u32(0);
  u32(type);
  return at;
}

size_t BoxBuilder::begin_full(uint32_t type, uint8_t version, uint32_t flags) {
  size_t at = begin(type);
  u32((uint32_t{version} << 24) | (flags & 0xffffff));
  return at;
}

void BoxBuilder::end(size_t at) { patch_u32(at, static_cast<uint32_t>(out_.size() - at)); }

void BoxBuilder::u16(uint16_t v) {
  uint8_t b[2];
  base::store_be16(b, v);
  out_.insert(out_.end(), b, b + 2);
}
void BoxBuilder::u24(uint32_t v) {
  uint8_t b[3];
  base::store_be24(b, v);
  out_.insert(out_.end(), b, b + 3);
}
void BoxBuilder::u32(uint32_t v) {
  uint8_t b[4];
  base::store_be32(b, v);
  out_.insert(out_.end(), b, b + 4);
}
void BoxBuilder::u64(uint64_t v) {
  uint8_t b[8];
  base::store_be64(b, v);
  out_.insert(out_.end(), b, b + 8);
}

bool BoxIterator::next(BoxView& out) {
  if (!ok_ || pos_ >= data_.size()) return false;
  size_t left = data_.size() - pos_;
  if (left < 8) {
    ok_ = false;
    return false;
  }
  const uint8_t* p = data_.data() + pos_;
  uint64_t size = base::load_be32(p);
  uint32_t type = base::load_be32(p + 4);
  size_t header = 8;
  if (size == 1) {
    if (left < 16) {
      ok_ = false;
      return false;
    }
    size = base::load_be64(p + 8);
    header = 16;
  } else if (size == 0) {
    size = left;
  }
  if (type == fourcc("uuid")) header += 16;
  if (size < header || size > left) {
    ok_ = false;
    return false;
  }
  out.type = type;
  out.offset = pos_;
  out.header_size = header;
  out.payload = data_.subspan(pos_ + header, static_cast<size_t>(size) - header);
  pos_ += static_cast<size_t>(size);
  return true;
}

std::optional<base::Bytes> find_box(base::Bytes container, uint32_t type) {
  BoxIterator it(container);
  BoxView box;
  while (it.next(box)) {
    if (box.type == type) return box.payload;
  }
  return std::nullopt;
}

}  // namespace medley::mux

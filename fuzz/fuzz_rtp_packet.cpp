// Fuzzes RtpPacketView::parse with a fixed extension map; every packet that parses is read fully, written back
// with RtpPacketWriter, re-parsed and compared field by field, and rewritten in place.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "rtp/packet.hpp"

using namespace medley;
using namespace medley::rtp;

namespace {

#define CHECK(cond)                  \
  do {                               \
    if (!(cond)) __builtin_trap();   \
  } while (0)

const ExtensionMap& fuzz_map() {
  static const ExtensionMap map = [] {
    ExtensionMap m;
    m.register_extension(1, ExtensionType::AbsSendTime);
    m.register_extension(2, ExtensionType::TransportSequenceNumber);
    m.register_extension(3, ExtensionType::Mid);
    m.register_extension(4, ExtensionType::Rid);
    m.register_extension(5, ExtensionType::RepairedRid);
    m.register_extension(6, ExtensionType::AudioLevel);
    m.register_extension(7, ExtensionType::VideoOrientation);
    m.register_extension(8, ExtensionType::TransmissionOffset);
    m.register_extension(9, ExtensionType::AbsCaptureTime);
    m.register_extension(10, ExtensionType::PlayoutDelay);
    m.register_extension(11, ExtensionType::VideoContentType);
    m.register_extension(12, ExtensionType::VideoTiming);
    m.register_extension(14, ExtensionType::AudioLevel);  // the libwebrtc/Chromium captures' ids, partly
    m.register_extension(13, ExtensionType::VideoOrientation);
    m.register_extension(100, ExtensionType::TransportSequenceNumber);
    m.register_extension(255, ExtensionType::Mid);
    return m;
  }();
  return map;
}

bool same(base::Bytes a, base::Bytes b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}
bool same(std::optional<base::Bytes> a, std::optional<base::Bytes> b) {
  return a.has_value() == b.has_value() && (!a || same(*a, *b));
}

// Touches every accessor so the sanitizers see every read.
size_t read_all(const RtpPacketView& v) {
  size_t sink = v.marker() + v.payload_type().value + v.sequence_number() + v.timestamp() + v.ssrc().value;
  for (size_t i = 0; i < v.csrc_count(); ++i) sink += v.csrc(i).value;
  for (uint8_t b : v.payload()) sink += b;
  sink += v.header_size() + v.padding_size() + v.extension_profile() + v.extension_block().size();
  auto r = v.extension_elements();
  while (auto e = r.next()) {
    sink += e->id;
    for (uint8_t b : e->value) sink += b;
  }
  for (uint8_t id : {0, 1, 7, 14, 15, 16, 100, 255}) {
    if (auto e = v.extension(id)) sink += e->size();
  }
  if (auto x = v.mid()) sink += x->size() + (x->empty() ? 0 : static_cast<uint8_t>(x->back()));
  if (auto x = v.rid()) sink += x->size();
  if (auto x = v.repaired_rid()) sink += x->size();
  if (auto x = v.abs_capture_time()) sink += x->absolute_capture_timestamp;
  if (auto x = v.video_timing()) sink += x->flags;
  return sink;
}

void compare(const RtpPacketView& a, const RtpPacketView& b) {
  CHECK(a.marker() == b.marker());
  CHECK(a.payload_type() == b.payload_type());
  CHECK(a.sequence_number() == b.sequence_number());
  CHECK(a.timestamp() == b.timestamp());
  CHECK(a.ssrc() == b.ssrc());
  CHECK(a.csrc_count() == b.csrc_count());
  for (size_t i = 0; i < a.csrc_count(); ++i) CHECK(a.csrc(i) == b.csrc(i));
  CHECK(same(a.payload(), b.payload()));
  CHECK(a.padding_size() == b.padding_size());
  if (a.extension_form() == ExtensionForm::Other) {
    CHECK(b.extension_form() == ExtensionForm::Other);
    CHECK(a.extension_profile() == b.extension_profile());
    CHECK(same(a.extension_block(), b.extension_block()));
  }
  // The same elements in the same order (the form may change: two-byte blocks that fit become one-byte).
  auto ra = a.extension_elements();
  auto rb = b.extension_elements();
  for (;;) {
    auto ea = ra.next();
    auto eb = rb.next();
    CHECK(ea.has_value() == eb.has_value());
    if (!ea) break;
    CHECK(ea->id == eb->id);
    CHECK(same(ea->value, eb->value));
  }
  // Raw lookups by id agree, for the ids present (first occurrence) and a few absent ones.
  auto ids = a.extension_elements();
  while (auto e = ids.next()) CHECK(same(a.extension(e->id), b.extension(e->id)));
  for (uint8_t id : {0, 2, 15, 16, 200}) CHECK(same(a.extension(id), b.extension(id)));
  CHECK(a.abs_send_time() == b.abs_send_time());
  CHECK(a.transport_sequence_number() == b.transport_sequence_number());
  CHECK(a.mid() == b.mid());
  CHECK(a.rid() == b.rid());
  CHECK(a.repaired_rid() == b.repaired_rid());
  CHECK(a.audio_level() == b.audio_level());
  CHECK(a.video_orientation() == b.video_orientation());
  CHECK(a.transmission_offset() == b.transmission_offset());
  CHECK(a.abs_capture_time() == b.abs_capture_time());
  CHECK(a.playout_delay() == b.playout_delay());
  CHECK(a.video_content_type() == b.video_content_type());
  CHECK(a.video_timing() == b.video_timing());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ExtensionMap& map = fuzz_map();
  auto v = RtpPacketView::parse(base::Bytes(data, size), map);
  if (!v) return 0;
  volatile size_t sink = read_all(*v);
  (void)sink;
  CHECK(v->header_size() + v->payload_size() + v->padding_size() == size);

  // Write it back. The writer never needs more room than the original took.
  std::vector<uint8_t> out(size);
  RtpPacketWriter w(out);
  w.set_marker(v->marker());
  w.set_payload_type(v->payload_type());
  w.set_sequence_number(v->sequence_number());
  w.set_timestamp(v->timestamp());
  w.set_ssrc(v->ssrc());
  for (size_t i = 0; i < v->csrc_count(); ++i) CHECK(w.add_csrc(v->csrc(i)));
  if (v->extension_form() == ExtensionForm::Other) {
    CHECK(w.set_extension_block(v->extension_profile(), v->extension_block()));
  } else {
    auto r = v->extension_elements();
    while (auto e = r.next()) CHECK(w.add_extension(e->id, e->value));
  }
  auto n = w.finish(v->payload(), static_cast<uint8_t>(v->padding_size()));
  CHECK(n.has_value() && *n <= size);
  auto again = RtpPacketView::parse(base::Bytes(out).first(*n), map);
  CHECK(again.has_value());
  compare(*v, *again);

  // In-place rewriting of a copy, as a forwarding sink does.
  std::vector<uint8_t> copy(data, data + size);
  CHECK(rewrite_sequence_number(copy, static_cast<uint16_t>(v->sequence_number() + 1)));
  CHECK(rewrite_timestamp(copy, v->timestamp() + 3000));
  CHECK(rewrite_ssrc(copy, Ssrc(~v->ssrc().value)));
  CHECK(rewrite_payload_type(copy, PayloadType(static_cast<uint8_t>((v->payload_type().value + 1) & 0x7F))));
  CHECK(rewrite_marker(copy, !v->marker()));
  const bool has_tsn = v->transport_sequence_number().has_value();
  CHECK(rewrite_transport_sequence_number(copy, *v, 0xA55A) == has_tsn);
  const bool has_ast = v->abs_send_time().has_value();
  CHECK(rewrite_abs_send_time(copy, *v, 0x123456) == has_ast);
  auto rewritten = RtpPacketView::parse(copy, map);
  CHECK(rewritten.has_value());
  CHECK(rewritten->sequence_number() == static_cast<uint16_t>(v->sequence_number() + 1));
  CHECK(rewritten->ssrc().value == ~v->ssrc().value);
  CHECK(rewritten->marker() != v->marker());
  CHECK(!has_tsn || rewritten->transport_sequence_number() == 0xA55A);
  CHECK(!has_ast || rewritten->abs_send_time() == 0x123456u);
  CHECK(same(rewritten->payload(), v->payload()));
  return 0;
}

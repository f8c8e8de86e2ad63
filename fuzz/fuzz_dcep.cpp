// Fuzzes DCEP parsing (each OPEN is written back and must parse to the same content) and DataChannelSet fed a
// random script of association events and application calls, without usrsctp; invariants are checked after
// every step.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ice/data_channel.hpp"

using namespace medley::ice;
using medley::base::ByteReader;
using medley::base::Bytes;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void fuzz_parse(Bytes data) {
  auto m = parse_dcep(data);
  if (!m.ok()) return;
  if (const auto* open = std::get_if<DcepOpen>(&*m)) {
    auto again = parse_dcep(write_dcep_open(*open));
    check(again.ok());
    check(std::get<DcepOpen>(*again) == *open);
  }
}

constexpr uint32_t kPpids[] = {ppid::kDcep,   ppid::kString,      ppid::kStringPartial, ppid::kBinary,
                               ppid::kBinaryPartial, ppid::kStringEmpty, ppid::kBinaryEmpty, 0, 55};

std::vector<uint8_t> take(ByteReader& r, size_t max) {
  size_t n = r.u8() % (max + 1);
  if (n > r.remaining()) n = r.remaining();
  Bytes b = r.bytes(n);
  return {b.begin(), b.end()};
}

// Half the time a well-formed OPEN, so the script reaches channel states beyond "rejected".
std::vector<uint8_t> dcep_payload(ByteReader& r) {
  uint8_t kind = r.u8();
  if (kind % 4 == 0) return {0x02};
  if (kind % 4 == 1) {
    DcepOpen open;
    open.ordered = (kind & 0x10) == 0;
    uint8_t rel = r.u8();
    if (rel % 3 == 1) open.reliability = SctpReliability::max_retransmits(rel);
    if (rel % 3 == 2) open.reliability = SctpReliability::max_lifetime_ms(rel * 10u);
    auto label = take(r, 8);
    open.label.assign(label.begin(), label.end());
    return write_dcep_open(open);
  }
  return take(r, 40);
}

void fuzz_set(ByteReader& r) {
  uint8_t conf = r.u8();
  DataChannelSetConfig config;
  config.dtls_client = (conf & 1) != 0;
  config.max_channels = static_cast<uint16_t>(1 + (conf >> 1) % 64);
  config.max_message_size = 64;
  DataChannelSet set(config);
  // Per id: has ChannelClosed been reported since the channel was last created? Never twice.
  std::vector<bool> closed(256, false);

  while (r.remaining() > 0) {
    uint8_t op = r.u8();
    uint16_t stream = static_cast<uint16_t>(r.u8() % 80);
    switch (op % 9) {
      case 0: {
        uint32_t ppid = kPpids[r.u8() % std::size(kPpids)];
        auto payload = ppid == ppid::kDcep ? dcep_payload(r) : take(r, 16);
        set.handle_message(stream, ppid, std::move(payload));
        break;
      }
      case 1:
        set.handle_stream_reset(stream, (op & 0x10) ? SctpAssociation::StreamReset::Direction::kIncoming
                                                    : SctpAssociation::StreamReset::Direction::kOutgoing);
        break;
      case 2:
        set.handle_connected();
        break;
      case 3:
        if ((op & 0xf0) == 0) set.handle_closed();  // rarer: it ends everything
        break;
      case 4: {
        DataChannelInit init;
        init.ordered = (op & 0x10) == 0;
        if (op & 0x20) init.max_retransmits = r.u8();
        if (op & 0x40) init.max_packet_lifetime_ms = r.u8();
        if (op & 0x80) init.negotiated_id = stream;
        auto label = take(r, 8);
        auto id = set.open(std::string(label.begin(), label.end()), init);
        if (id.ok()) {
          check(*id < config.max_channels);
          closed[*id] = false;
          if (!init.negotiated_id) check((*id % 2 == 0) == config.dtls_client);
        }
        break;
      }
      case 5: {
        auto bytes = take(r, 80);
        set.send(stream, (op & 0x10) != 0, bytes);
        break;
      }
      case 6:
        set.close(stream);
        break;
      default:
        break;
    }
    check(set.size() <= config.max_channels);
    while (auto c = set.poll_command()) {
      if (auto* m = std::get_if<DataChannelSet::SendMessage>(&*c)) {
        check(!m->bytes.empty());  // SCTP cannot carry an empty message
        check(m->bytes.size() <= config.max_message_size);
        if (m->ppid == ppid::kDcep) check(parse_dcep(m->bytes).ok());
        if (m->ppid == ppid::kStringEmpty || m->ppid == ppid::kBinaryEmpty) check(m->bytes.size() == 1);
      }
    }
    while (auto e = set.poll_event()) {
      if (auto* o = std::get_if<DataChannelSet::ChannelOpened>(&*e); o && o->by_peer) closed[o->id] = false;
      if (auto* c = std::get_if<DataChannelSet::ChannelClosed>(&*e)) {
        check(!closed[c->id]);
        closed[c->id] = true;
      }
      if (auto* m = std::get_if<DataChannelSet::Message>(&*e)) check(set.channel(m->id) != nullptr);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Bytes in(data, size);
  if (data[0] & 1) {
    fuzz_parse(in.subspan(1));
  } else {
    ByteReader r(in.subspan(1));
    fuzz_set(r);
  }
  return 0;
}

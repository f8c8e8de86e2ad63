// DCEP parse/write (RFC 8832 §5) and DataChannelSet: channel state, stream id parity, close by stream reset.
#include "ice/data_channel.hpp"

#include <utility>

namespace medley::ice {

namespace {

constexpr uint8_t kTypeAck = 0x02;
constexpr uint8_t kTypeOpen = 0x03;
constexpr size_t kOpenHeaderSize = 12;
// RFC 8832 §5.1 channel types: bit 0x80 = unordered, low bits = reliability policy.
constexpr uint8_t kUnorderedBit = 0x80;
constexpr uint8_t kReliable = 0x00;
constexpr uint8_t kRexmit = 0x01;
constexpr uint8_t kTimed = 0x02;

}  // namespace

base::Result<DcepMessage, DcepError> parse_dcep(base::Bytes message) {
  base::ByteReader r(message);
  if (r.empty()) return DcepError::Empty;
  uint8_t type = r.u8();
  if (type == kTypeAck) return DcepMessage{DcepAck{}};  // RFC 8832 §5.2: one byte; extra bytes are tolerated
  if (type != kTypeOpen) return DcepError::UnknownMessageType;
  if (message.size() < kOpenHeaderSize) return DcepError::Truncated;
  uint8_t channel_type = r.u8();
  DcepOpen open;
  open.priority = r.u16();
  uint32_t param = r.u32();
  uint16_t label_len = r.u16();
  uint16_t protocol_len = r.u16();
  open.ordered = (channel_type & kUnorderedBit) == 0;
  switch (channel_type & ~kUnorderedBit) {
    case kReliable:
      open.reliability = SctpReliability::reliable();  // the parameter "is ignored" (§5.1)
      break;
    case kRexmit:
      open.reliability = SctpReliability::max_retransmits(param);
      break;
    case kTimed:
      open.reliability = SctpReliability::max_lifetime_ms(param);
      break;
    default:
      return DcepError::UnknownChannelType;
  }
  base::Bytes label = r.bytes(label_len);
  base::Bytes protocol = r.bytes(protocol_len);
  if (!r.ok()) return DcepError::Truncated;
  open.label.assign(label.begin(), label.end());
  open.protocol.assign(protocol.begin(), protocol.end());
  return DcepMessage{std::move(open)};
}

std::vector<uint8_t> write_dcep_open(const DcepOpen& open) {
  std::vector<uint8_t> out(kOpenHeaderSize + open.label.size() + open.protocol.size());
  base::ByteWriter w(out);
  uint8_t type = kReliable;
  uint32_t param = 0;
  if (open.reliability.kind == SctpReliability::Kind::MaxRetransmits) {
    type = kRexmit;
    param = open.reliability.value;
  } else if (open.reliability.kind == SctpReliability::Kind::MaxLifetime) {
    type = kTimed;
    param = open.reliability.value;
  }
  if (!open.ordered) type |= kUnorderedBit;
  w.u8(kTypeOpen);
  w.u8(type);
  w.u16(open.priority);
  w.u32(param);
  w.u16(static_cast<uint16_t>(open.label.size()));
  w.u16(static_cast<uint16_t>(open.protocol.size()));
  w.bytes({reinterpret_cast<const uint8_t*>(open.label.data()), open.label.size()});
  w.bytes({reinterpret_cast<const uint8_t*>(open.protocol.data()), open.protocol.size()});
  return out;
}

DataChannelSet::DataChannelSet(const DataChannelSetConfig& config) : config_(config) {
  if (config_.max_channels == 0) config_.max_channels = 1;  // id 65535 is reserved (RFC 8831 §6.5): max is 65535
}

void DataChannelSet::handle_sctp_event(SctpAssociation::Event&& event) {
  if (std::holds_alternative<SctpAssociation::Connected>(event)) {
    handle_connected();
  } else if (auto* m = std::get_if<SctpAssociation::MessageReceived>(&event)) {
    handle_message(m->stream, m->ppid, std::move(m->bytes));
  } else if (auto* r = std::get_if<SctpAssociation::StreamReset>(&event)) {
    handle_stream_reset(r->stream, r->direction);
  } else {
    handle_closed();  // Closed or Failed
  }
}

void DataChannelSet::handle_connected() {
  if (connected_) return;
  connected_ = true;
  // Negotiated channels have no handshake: they open with the association (RFC 8831 §6.5).
  for (auto& [id, ch] : channels_) {
    if (ch.negotiated && ch.state == State::kConnecting) open_channel(ch, false);
  }
}

void DataChannelSet::open_channel(Channel& ch, bool by_peer) {
  ch.state = State::kOpen;
  events_.emplace_back(ChannelOpened{ch.id, ch.label, ch.protocol, by_peer});
}

void DataChannelSet::handle_message(uint16_t stream, uint32_t ppid, std::vector<uint8_t> bytes) {
  if (ppid == ppid::kDcep) {
    auto msg = parse_dcep(bytes);
    if (!msg) {
      ++stats_.dropped_bad_dcep;
      return;
    }
    if (auto* open = std::get_if<DcepOpen>(&msg.value())) {
      handle_open(stream, std::move(*open));
      return;
    }
    auto it = channels_.find(stream);
    if (it != channels_.end() && it->second.state == State::kConnecting && !it->second.negotiated) {
      open_channel(it->second, false);
    }
    return;  // an ACK for nothing we wait on is harmless
  }
  bool binary;
  bool empty = false;
  switch (ppid) {
    case ppid::kString: binary = false; break;
    case ppid::kBinary: binary = true; break;
    case ppid::kStringEmpty: binary = false, empty = true; break;
    case ppid::kBinaryEmpty: binary = true, empty = true; break;
    case ppid::kStringPartial:
    case ppid::kBinaryPartial:
      ++stats_.dropped_deprecated_ppid;
      return;
    default:
      ++stats_.dropped_unknown_ppid;
      return;
  }
  auto it = channels_.find(stream);
  if (it == channels_.end() || it->second.state == State::kClosed) {
    ++stats_.dropped_unknown_stream;
    return;
  }
  Channel& ch = it->second;
  // RFC 8832 §6: a user message on the stream implies the ACK that may still be on its way.
  if (ch.state == State::kConnecting) open_channel(ch, false);
  if (empty) bytes.clear();  // RFC 8831 §6.6: the one byte carried with PPID 56/57 is not data
  events_.emplace_back(Message{ch.id, binary, std::move(bytes)});
}

void DataChannelSet::handle_open(uint16_t stream, DcepOpen open) {
  if (stream >= config_.max_channels || channels_.count(stream) != 0) {
    // In use (both sides picked it, or a negotiated channel has it) or beyond our streams: refuse.
    ++stats_.rejected_opens;
    return;
  }
  Channel& ch = channels_[stream];
  ch.id = stream;
  ch.label = std::move(open.label);
  ch.protocol = std::move(open.protocol);
  ch.ordered = open.ordered;
  ch.reliability = open.reliability;
  ch.priority = open.priority;
  // RFC 8832 §6: the ACK goes ordered and reliable on the same stream, before any reply data.
  commands_.emplace_back(SendMessage{stream, ppid::kDcep, {kDcepAckMessage[0]}, true, {}});
  open_channel(ch, true);
}

void DataChannelSet::handle_stream_reset(uint16_t stream, SctpAssociation::StreamReset::Direction direction) {
  auto it = channels_.find(stream);
  if (it == channels_.end()) return;
  Channel& ch = it->second;
  if (direction == SctpAssociation::StreamReset::Direction::kIncoming) {
    ch.incoming_reset = true;
    if (ch.state != State::kClosed) {
      ch.state = State::kClosed;
      events_.emplace_back(ChannelClosed{ch.id});
    }
    // RFC 8831 §6.7: the peer closed its side; we reset ours in answer.
    if (!ch.reset_requested) send_reset(ch);
  } else {
    ch.outgoing_reset = true;
  }
  maybe_forget(stream);
}

void DataChannelSet::maybe_forget(uint16_t id) {
  auto it = channels_.find(id);
  if (it != channels_.end() && it->second.incoming_reset && it->second.outgoing_reset) channels_.erase(it);
}

void DataChannelSet::handle_closed() {
  connected_ = false;
  for (auto& [id, ch] : channels_) {
    if (ch.state != State::kClosed) events_.emplace_back(ChannelClosed{id});
  }
  channels_.clear();
}

base::Result<uint16_t, DataChannelError> DataChannelSet::open(std::string label, const DataChannelInit& init) {
  if (init.max_retransmits && init.max_packet_lifetime_ms) return DataChannelError::InvalidOptions;
  if (label.size() > 65535 || init.protocol.size() > 65535) return DataChannelError::InvalidOptions;
  uint16_t id;
  if (init.negotiated_id) {
    id = *init.negotiated_id;
    if (id >= config_.max_channels) return DataChannelError::InvalidOptions;
    if (channels_.count(id) != 0) return DataChannelError::IdInUse;
  } else {
    // RFC 8832 §6: even ids for the DTLS client, odd for the server, so both may open at once without collision.
    uint32_t candidate = config_.dtls_client ? 0 : 1;
    while (candidate < config_.max_channels && channels_.count(static_cast<uint16_t>(candidate)) != 0) candidate += 2;
    if (candidate >= config_.max_channels) return DataChannelError::NoFreeId;
    id = static_cast<uint16_t>(candidate);
  }
  Channel& ch = channels_[id];
  ch.id = id;
  ch.label = std::move(label);
  ch.protocol = init.protocol;
  ch.ordered = init.ordered;
  ch.priority = init.priority;
  ch.negotiated = init.negotiated_id.has_value();
  if (init.max_retransmits) ch.reliability = SctpReliability::max_retransmits(*init.max_retransmits);
  if (init.max_packet_lifetime_ms) ch.reliability = SctpReliability::max_lifetime_ms(*init.max_packet_lifetime_ms);
  if (ch.negotiated) {
    if (connected_) open_channel(ch, false);
  } else {
    DcepOpen msg{ch.ordered, ch.reliability, ch.priority, ch.label, ch.protocol};
    // The OPEN is always ordered and reliable (RFC 8832 §6); the association holds it until it is connected.
    commands_.emplace_back(SendMessage{id, ppid::kDcep, write_dcep_open(msg), true, {}});
  }
  return id;
}

std::optional<DataChannelError> DataChannelSet::send(uint16_t id, bool binary, base::Bytes bytes) {
  auto it = channels_.find(id);
  if (it == channels_.end()) return DataChannelError::UnknownChannel;
  Channel& ch = it->second;
  if (ch.state == State::kClosing || ch.state == State::kClosed) return DataChannelError::NotOpen;
  if (bytes.size() > config_.max_message_size) return DataChannelError::TooLarge;
  SendMessage m;
  m.stream = id;
  if (bytes.empty()) {
    m.ppid = binary ? ppid::kBinaryEmpty : ppid::kStringEmpty;
    m.bytes = {0};
  } else {
    m.ppid = binary ? ppid::kBinary : ppid::kString;
    m.bytes.assign(bytes.begin(), bytes.end());
  }
  // RFC 8832 §6: until the ACK arrives, messages go ordered so that none overtakes the OPEN.
  bool awaiting_ack = ch.state == State::kConnecting && !ch.negotiated;
  m.ordered = awaiting_ack ? true : ch.ordered;
  m.reliability = ch.reliability;
  commands_.emplace_back(std::move(m));
  return std::nullopt;
}

std::optional<DataChannelError> DataChannelSet::close(uint16_t id) {
  auto it = channels_.find(id);
  if (it == channels_.end()) return DataChannelError::UnknownChannel;
  Channel& ch = it->second;
  if (ch.state == State::kClosing || ch.state == State::kClosed) return std::nullopt;
  ch.state = State::kClosing;
  send_reset(ch);
  return std::nullopt;
}

void DataChannelSet::send_reset(Channel& ch) {
  ch.reset_requested = true;
  commands_.emplace_back(ResetStream{ch.id});
}

// g++ 12 at -O3 reports moving a variant holding a vector out of the deque as "maybe uninitialized" (a known
// false positive of its variant/optional inlining); nothing is read uninitialized here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
std::optional<DataChannelSet::Command> DataChannelSet::poll_command() {
  if (commands_.empty()) return std::nullopt;
  std::optional<Command> c(std::in_place, std::move(commands_.front()));
  commands_.pop_front();
  return c;
}

std::optional<DataChannelSet::Event> DataChannelSet::poll_event() {
  if (events_.empty()) return std::nullopt;
  std::optional<Event> e(std::in_place, std::move(events_.front()));
  events_.pop_front();
  return e;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void DataChannelSet::flush_to(SctpAssociation& sctp) {
  // Walks the queue in place (no optional<variant> per command: g++ 12 -O3 warns falsely on that).
  for (Command& c : commands_) {
    std::optional<SctpSendError> err;
    if (auto* m = std::get_if<SendMessage>(&c)) {
      err = sctp.send(m->stream, m->ppid, m->bytes, m->ordered, m->reliability);
    } else if (auto* r = std::get_if<ResetStream>(&c)) {
      err = sctp.reset_stream(r->stream);
    }
    if (err) ++stats_.failed_sends;
  }
  commands_.clear();
}

const DataChannelSet::Channel* DataChannelSet::channel(uint16_t id) const {
  auto it = channels_.find(id);
  return it == channels_.end() ? nullptr : &it->second;
}

}  // namespace medley::ice

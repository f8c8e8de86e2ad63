// WebRTC data channels: DCEP messages (RFC 8832) and the set of channels over one SCTP association (RFC 8831).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ice/sctp_association.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/base/result.hpp"

namespace medley::ice {

// SCTP payload protocol identifiers (RFC 8831 §8, RFC 8832 §8.1).
namespace ppid {
constexpr uint32_t kDcep = 50;
constexpr uint32_t kString = 51;
constexpr uint32_t kStringPartial = 52;  // deprecated, refused
constexpr uint32_t kBinary = 53;
constexpr uint32_t kBinaryPartial = 54;  // deprecated, refused
constexpr uint32_t kStringEmpty = 56;
constexpr uint32_t kBinaryEmpty = 57;
}  // namespace ppid

// DATA_CHANNEL_OPEN (RFC 8832 §5.1).
struct DcepOpen {
  bool ordered = true;
  SctpReliability reliability;
  uint16_t priority = 256;  // RFC 8832 §5.1 "normal"
  std::string label;
  std::string protocol;
  bool operator==(const DcepOpen&) const = default;
};
// DATA_CHANNEL_ACK (RFC 8832 §5.2).
struct DcepAck {
  bool operator==(const DcepAck&) const = default;
};
using DcepMessage = std::variant<DcepOpen, DcepAck>;

enum class DcepError : uint8_t { Empty, UnknownMessageType, Truncated, UnknownChannelType };

// Parses one DCEP message (the whole SCTP message with PPID 50). Bytes after the protocol are ignored.
base::Result<DcepMessage, DcepError> parse_dcep(base::Bytes message);
// Serializes an OPEN; label and protocol longer than 65535 bytes are the caller's bug (DataChannelSet checks).
std::vector<uint8_t> write_dcep_open(const DcepOpen& open);
inline constexpr uint8_t kDcepAckMessage[1] = {0x02};

// What RTCDataChannelInit carries.
struct DataChannelInit {
  bool ordered = true;
  std::optional<uint32_t> max_retransmits;
  std::optional<uint32_t> max_packet_lifetime_ms;  // at most one of the two
  uint16_t priority = 256;
  std::string protocol;
  std::optional<uint16_t> negotiated_id;  // pre-agreed stream id: no DCEP, both sides create it
};

enum class DataChannelError : uint8_t { InvalidOptions, NoFreeId, IdInUse, UnknownChannel, NotOpen, TooLarge };

struct DataChannelSetConfig {
  bool dtls_client = true;      // RFC 8832 §6: the DTLS client opens channels on even stream ids, the server odd
  uint16_t max_channels = 1024;  // stream ids below this; SctpAssociation negotiates 1024 each way
  size_t max_message_size = 256 * 1024;  // the peer's a=max-message-size
};

// The data channels over one association. Sans-IO and independent of usrsctp: it takes the association's events
// and writes commands for it (send, reset), so it can be tested and fuzzed alone. flush_to() is the glue.
class DataChannelSet {
 public:
  // Commands for the association.
  struct SendMessage {
    uint16_t stream = 0;
    uint32_t ppid = 0;
    std::vector<uint8_t> bytes;
    bool ordered = true;
    SctpReliability reliability;
  };
  struct ResetStream {
    uint16_t stream = 0;
  };
  using Command = std::variant<SendMessage, ResetStream>;

  // Events for the application.
  struct ChannelOpened {
    uint16_t id = 0;
    std::string label;
    std::string protocol;
    bool by_peer = false;  // the peer's OPEN created it (RTCPeerConnection "datachannel" event)
  };
  struct Message {
    uint16_t id = 0;
    bool binary = false;
    std::vector<uint8_t> bytes;
  };
  struct ChannelClosed {
    uint16_t id = 0;
  };
  using Event = std::variant<ChannelOpened, Message, ChannelClosed>;

  enum class State : uint8_t { kConnecting, kOpen, kClosing, kClosed };
  struct Channel {
    uint16_t id = 0;
    std::string label;
    std::string protocol;
    bool ordered = true;
    SctpReliability reliability;
    uint16_t priority = 256;
    bool negotiated = false;
    State state = State::kConnecting;
    // RFC 8831 §6.7: a channel is gone, and its id free again, once both directions of its stream are reset.
    bool reset_requested = false;
    bool incoming_reset = false;
    bool outgoing_reset = false;
  };

  struct Stats {
    uint64_t dropped_unknown_stream = 0;
    uint64_t dropped_bad_dcep = 0;
    uint64_t dropped_deprecated_ppid = 0;  // 52, 54
    uint64_t dropped_unknown_ppid = 0;
    uint64_t rejected_opens = 0;  // OPEN on a stream in use or out of range
    uint64_t failed_sends = 0;    // the association refused a command (flush_to)
  };

  explicit DataChannelSet(const DataChannelSetConfig& config = {});

  // Inputs from the association.
  void handle_connected();
  void handle_message(uint16_t stream, uint32_t ppid, std::vector<uint8_t> bytes);
  void handle_stream_reset(uint16_t stream, SctpAssociation::StreamReset::Direction direction);
  void handle_closed();
  void handle_sctp_event(SctpAssociation::Event&& event);

  // The application.
  base::Result<uint16_t, DataChannelError> open(std::string label, const DataChannelInit& init = {});
  std::optional<DataChannelError> send(uint16_t id, bool binary, base::Bytes bytes);
  std::optional<DataChannelError> close(uint16_t id);

  // Outputs.
  std::optional<Command> poll_command();
  std::optional<Event> poll_event();
  // Hands every pending command to the association.
  void flush_to(SctpAssociation& sctp);

  const Channel* channel(uint16_t id) const;
  size_t size() const { return channels_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  void handle_open(uint16_t stream, DcepOpen open);
  void open_channel(Channel& ch, bool by_peer);
  void send_reset(Channel& ch);
  void maybe_forget(uint16_t id);

  DataChannelSetConfig config_;
  bool connected_ = false;
  std::map<uint16_t, Channel> channels_;
  std::deque<Command> commands_;
  std::deque<Event> events_;
  Stats stats_;
};

}  // namespace medley::ice

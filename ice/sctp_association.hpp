// SctpAssociation: one SCTP association carried inside DTLS (RFC 8261), sans-IO, on usrsctp in AF_CONN mode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rtp/base/bytes.hpp"
#include "rtp/base/time.hpp"

namespace medley::ice {

// How hard SCTP tries to deliver one message (RFC 3758 PR-SCTP policies as WebRTC uses them, RFC 8831 §6.1).
struct SctpReliability {
  enum class Kind : uint8_t { Reliable, MaxRetransmits, MaxLifetime };
  Kind kind = Kind::Reliable;
  uint32_t value = 0;  // retransmissions, or lifetime in milliseconds

  static SctpReliability reliable() { return {}; }
  static SctpReliability max_retransmits(uint32_t n) { return {Kind::MaxRetransmits, n}; }
  static SctpReliability max_lifetime_ms(uint32_t ms) { return {Kind::MaxLifetime, ms}; }
  bool operator==(const SctpReliability&) const = default;
};

struct SctpConfig {
  // In WebRTC both ends initiate (simultaneous open, RFC 8841 §9.3): both connect whatever their DTLS role.
  uint16_t local_port = 5000;   // SDP a=sctp-port
  uint16_t remote_port = 5000;  // the peer's a=sctp-port
  // Largest message we send: the peer's a=max-message-size (RFC 8841 §6); 0 means "no limit" per the RFC, and
  // is taken as our own cap below.
  size_t max_send_message_size = 256 * 1024;
  // Largest message we accept; bigger ones are dropped whole (and counted), the association lives on.
  size_t max_receive_message_size = 256 * 1024;
  // Bytes we queue beyond usrsctp's own send buffer before send() says BufferFull.
  size_t max_queued_bytes = 4 * 1024 * 1024;
  // SCTP packet size limit: 1200 bytes of DTLS payload, as libwebrtc, so the DTLS record fits in any path MTU.
  uint16_t mtu = 1200;
  // Retransmission timeout bounds (RFC 9260 §16 defaults). Note: usrsctp runs its timers on our ticks but
  // measures RTT, the "outstanding for one RTO" check before a T3 retransmission, and PR-SCTP lifetimes on
  // the wall clock (gettimeofday). In production both are the same steady time; a test whose fake clock runs
  // ahead of the wall clock sees T3 retransmissions only once the wall clock has also passed one RTO.
  uint32_t rto_initial_ms = 1000;
  uint32_t rto_min_ms = 1000;
  uint32_t rto_max_ms = 60000;
};

// Empty: SCTP has no empty user message (RFC 9260 §6.9); RFC 8831 §6.6 sends one byte with PPID 56/57 instead.
enum class SctpSendError : uint8_t { Closed, Empty, TooLarge, BufferFull, InvalidStream };

class SctpAssociation {
 public:
  // Events: past-tense facts, drained with poll_event().
  struct Connected {};
  struct MessageReceived {
    uint16_t stream = 0;
    uint32_t ppid = 0;
    bool unordered = false;
    std::vector<uint8_t> bytes;
  };
  // A stream reset completed: kIncoming when the peer reset its outgoing stream (it closed its side),
  // kOutgoing when our own reset (reset_stream) was performed. RFC 8831 §6.7 closes a channel with both.
  struct StreamReset {
    enum class Direction : uint8_t { kIncoming, kOutgoing };
    uint16_t stream = 0;
    Direction direction = Direction::kIncoming;
  };
  struct Closed {};  // orderly: SHUTDOWN completed, or our close()
  struct Failed {
    std::string reason;
  };
  using Event = std::variant<Connected, MessageReceived, StreamReset, Closed, Failed>;

  enum class State : uint8_t { kNew, kConnecting, kConnected, kClosed, kFailed };

  struct Stats {
    uint64_t packets_in = 0;
    uint64_t packets_out = 0;
    uint64_t messages_in = 0;
    uint64_t messages_out = 0;
    uint64_t dropped_short_packets = 0;    // shorter than the 12-byte SCTP common header
    uint64_t dropped_oversize_messages = 0;  // over max_receive_message_size
    uint64_t abandoned_messages = 0;       // PR-SCTP gave up (SCTP_SEND_FAILED_EVENT)
  };

  explicit SctpAssociation(const SctpConfig& config);
  ~SctpAssociation();
  SctpAssociation(SctpAssociation&&) noexcept;
  SctpAssociation& operator=(SctpAssociation&&) noexcept;
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // Opens the usrsctp socket and sends INIT. Call once DTLS is connected. Failure shows as a Failed event.
  void start(base::Timestamp now);

  // One SCTP packet that arrived as DTLS application data.
  void handle_packet(base::Timestamp now, base::Bytes packet);
  // Drives usrsctp's timers (all associations' timers: they are one global list) up to `now`.
  void handle_timeout(base::Timestamp now);
  // The next time handle_timeout() wants to run: a fixed tick while the association lives (usrsctp 0.9.5 has
  // no usrsctp_get_timeout), infinite before start() and after Closed/Failed.
  base::Timestamp next_timeout() const;

  // Queues one whole message. ppid is the payload protocol id (RFC 8831 §8). Messages on all streams leave in
  // the order they were given; a message bigger than usrsctp's free buffer is fed in pieces (explicit EOR).
  std::optional<SctpSendError> send(uint16_t stream, uint32_t ppid, base::Bytes bytes, bool ordered,
                                    SctpReliability reliability);
  // Resets our outgoing stream (RFC 6525), after every message queued on it before this call.
  std::optional<SctpSendError> reset_stream(uint16_t stream);
  // Aborts the association (SO_LINGER 0, as libwebrtc): an ABORT packet goes out and Closed is reported.
  void close(base::Timestamp now);

  // Outputs. poll_transmit swaps the next packet into `out` (its old buffer is kept for reuse) and returns
  // false when none is pending.
  bool poll_transmit(std::vector<uint8_t>& out);
  std::optional<Event> poll_event();
  bool has_output() const;

  State state() const;
  // Bytes given to send() that usrsctp has not yet taken into its own buffer.
  size_t queued_bytes() const;
  const Stats& stats() const;
  uint32_t id() const;  // the usrsctp AF_CONN address, 0 before start()

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medley::ice

// DtlsTransport: one DTLS 1.2 session for DTLS-SRTP and SCTP (RFC 5764, RFC 8261), sans-IO on OpenSSL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ice/certificate.hpp"
#include "ice/dtls_context.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/base/outbox.hpp"
#include "rtp/base/time.hpp"

namespace medley::ice {

// Client = SDP a=setup:active (sends the ClientHello), Server = a=setup:passive (RFC 5763 §5).
enum class DtlsRole : uint8_t { Client, Server };

// The handshake finished and the peer's certificate matched the expected fingerprint.
struct DtlsConnected {
  uint16_t srtp_profile_id = 0;      // DTLS-SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2); 0: none
  std::string srtp_profile_name;     // OpenSSL's name, e.g. "SRTP_AEAD_AES_128_GCM"
  std::vector<uint8_t> keying_material;  // "EXTRACTOR-dtls_srtp" export, 2*(key+salt) bytes (RFC 5764 §4.2)
  DtlsRole role = DtlsRole::Client;  // ours: decides which half of the keys we send with
  Fingerprint remote_fingerprint;    // what the peer presented, in the expected fingerprint's algorithm
};
struct DtlsFailed {
  std::string reason;
};
// Closed by close_notify (either side) or our close(). Every transport ends with exactly one Closed or Failed.
struct DtlsClosed {};
// One DTLS record of application data (an SCTP packet, RFC 8261).
struct DtlsApplicationData {
  std::vector<uint8_t> bytes;
};
using DtlsEvent = std::variant<DtlsConnected, DtlsFailed, DtlsClosed, DtlsApplicationData>;

// What a call produced: datagrams for the peer (in order; one flight may be several) and events.
// The caller drains and clears it after each call.
struct DtlsOutbox {
  base::Outbox<std::vector<uint8_t>> datagrams;
  base::Outbox<DtlsEvent> events;
  void clear() {
    datagrams.clear();
    events.clear();
  }
};

struct DtlsTransportConfig {
  DtlsRole role = DtlsRole::Server;
  // From the remote SDP; may also come later through set_remote_fingerprint(), up to the end of the handshake.
  std::optional<Fingerprint> remote_fingerprint;
  // Largest datagram (UDP payload) we send; OpenSSL fragments handshake messages to fit. At least 256.
  size_t mtu = 1200;
  // Handshake retransmission: first timeout, doubling up to the cap (RFC 6347 §4.2.4.1 allows shorter than its
  // 1 s on networks known to be fast; ICE has just measured the path). OpenSSL gives up after 12 timeouts.
  base::Duration initial_retransmit_timeout = base::Duration::millis(100);
  base::Duration max_retransmit_timeout = base::Duration::seconds(4);
  // No SCTP will ever run over this transport (the SDP negotiated no data channel): once connected, OpenSSL's
  // session (about 50 KB) is freed, keeping only what the end needs. As DTLS client we finished last, so the peer
  // is done too and the release is immediate; as server the peer may still resend its last flight if ours was
  // lost, so we keep answering for server_release_grace. Afterwards close() sends a close_notify made at release
  // time (no record follows it, so its sequence number is still the next), and a record from the peer shaped like
  // its close_notify (alert type, epoch 1, the same length as ours, which uses the same cipher) closes us: it cannot
  // be authenticated any more, which only lets an attacker who can forge the peer's address stop what a forged
  // ICE consent failure would stop anyway 30 s later.
  bool release_when_idle = false;
  base::Duration server_release_grace = base::Duration::seconds(10);
};

enum class DtlsSendError : uint8_t { NotConnected, TooLarge, Failed };

class DtlsTransport {
 public:
  enum class State : uint8_t { New, Connecting, Connected, Closed, Failed };

  struct Stats {
    uint64_t datagrams_in = 0;
    uint64_t datagrams_out = 0;
    uint64_t datagrams_ignored = 0;  // empty, before start (client), or after Closed/Failed
    uint64_t retransmission_timeouts = 0;
    uint64_t application_records_in = 0;
    uint64_t application_records_out = 0;
  };

  // The largest application record (RFC 6347 §4.1.1: 2^14 plaintext bytes).
  static constexpr size_t kMaxApplicationData = 16384;

  DtlsTransport(std::shared_ptr<const DtlsContext> context, const DtlsTransportConfig& config);
  ~DtlsTransport();
  DtlsTransport(DtlsTransport&&) noexcept;
  DtlsTransport& operator=(DtlsTransport&&) noexcept;
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Client: sends the ClientHello. Server: only marks the transport as started (a server also starts on its
  // first datagram, so a ClientHello that beats the SDP answer is not lost).
  void start(base::Timestamp now, DtlsOutbox& out);
  // One datagram from the peer (RFC 7983: first byte 20..63). Garbage is dropped by OpenSSL without an alert
  // (RFC 6347 §4.1.2.7) and never fails the transport by itself.
  void handle_datagram(base::Timestamp now, base::Bytes datagram, DtlsOutbox& out);
  // Retransmits the last flight when its timer has run out. Harmless to call early.
  void handle_timeout(base::Timestamp now, DtlsOutbox& out);
  // When handle_timeout() wants to run; infinite when no flight awaits an answer.
  base::Timestamp next_timeout() const;

  // The expected fingerprint of the peer's certificate, from its SDP. If the handshake already finished without
  // one, this is where it is checked (Connected or Failed lands in `out`). False once it is too late to change.
  bool set_remote_fingerprint(const Fingerprint& fingerprint, DtlsOutbox& out);

  // Sends one record of application data (an SCTP packet). Only when Connected.
  std::optional<DtlsSendError> send_application_data(base::Bytes bytes, DtlsOutbox& out);
  // Sends close_notify (if connected) and ends the transport; reports Closed.
  void close(base::Timestamp now, DtlsOutbox& out);

  State state() const;
  DtlsRole role() const;
  // The session was freed (release_when_idle): state() stays Connected until close() or the peer's close_notify.
  bool released() const;
  const Stats& stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Whether this OpenSSL lets DtlsTransport drive retransmission purely from the `now` it is given (see
// dtls_transport.cpp); when false, OpenSSL's own wall-clock timer decides and handle_timeout() only polls it.
bool dtls_timer_fully_sans_io();

}  // namespace medley::ice

// ClientSession: one WebRTC peer of the load generator, on our own stacks: its own UDP socket (recvmmsg with
// kernel arrival timestamps, sendmmsg), a full ICE agent, DTLS-SRTP, and either a synthetic publisher (VP8 frames
// paced like libwebrtc's pacer, Opus every 20 ms, sender reports, keyframes on PLI/FIR) or a receiver that counts
// RTP per SSRC (loss from sequence numbers) and decrypts a sample to read each payload's send time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>  // before asio/awaitable.hpp: Boost 1.74 uses std::exchange without it
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/loadgen/metrics.hpp"
#include "bench/loadgen/synthetic_media.hpp"
#include "ice/dtls_context.hpp"
#include "ice/dtls_transport.hpp"
#include "ice/ice_agent.hpp"
#include "rtp/negotiation/generate_offer.hpp"
#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/srtp/srtp_session.hpp"

namespace medley::loadgen {

// Counters every session adds to; the driver snapshots them around the measurement window.
struct Totals {
  uint64_t rtp_sent = 0;
  uint64_t bytes_sent = 0;       // their SRTP bytes (UDP payload)
  uint64_t rtp_received = 0;     // media packets of a negotiated codec (no RTX, no padding probes)
  uint64_t bytes_received = 0;   // their UDP payload bytes
  uint64_t rtcp_received = 0;
  uint64_t keyframe_requests = 0;
  uint64_t srtp_errors = 0;
  uint64_t trailer_missing = 0;  // decrypted media without our trailer
  uint64_t padding_received = 0;  // RTP with the P bit (bandwidth probes): not counted as forwarded media
  uint64_t unexpected_pt = 0;     // RTP of a payload type we did not negotiate as media (RTX, or a server's mistake)
  uint64_t send_failures = 0;     // packets sendmmsg did not take (not counted as sent)
  LatencyHistogram latency;      // µs, from the payload's send time to the kernel's arrival stamp
  bool measure_latency = false;  // only inside the window
};

struct ClientSessionConfig {
  ice::TransportAddress ip;  // where to bind (port 0: any)
  std::shared_ptr<const ice::DtlsContext> dtls;
  bool send = false;     // publisher or echo
  bool receive = false;  // subscriber or echo
  MediaConfig media;
  uint32_t latency_sample_every = 1;  // decrypt 1 of N media packets for latency
  uint64_t seed = 1;
};

class ClientSession {
 public:
  ClientSession(boost::asio::io_context& io, ClientSessionConfig config, Totals& totals);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Our offer (audio and video; sendonly, recvonly or sendrecv from the config), with our host candidate and
  // a=end-of-candidates. Throws std::runtime_error.
  std::string create_offer();
  void set_answer(const std::string& sdp);
  // Answers a server's offer (we are then the DTLS client, as browsers are when answering).
  std::string accept_offer(const std::string& sdp);
  // "candidate:..." from the server's trickle, "" for its end of candidates.
  void add_remote_candidate(const std::string& candidate);

  // Completes when DTLS is up (SRTP keys installed); throws on failure or after `timeout`.
  boost::asio::awaitable<void> wait_connected(std::chrono::milliseconds timeout);
  bool connected() const { return srtp_.has_value(); }
  std::string srtp_profile() const { return srtp_profile_; }
  // Publisher: starts sending (the first frame is a keyframe).
  void start_media();
  void stop();

  // Loss over the whole session: packets expected from each received SSRC's sequence numbers, and received.
  uint64_t expected() const;
  uint64_t received() const;
  // Datagrams the kernel dropped at our socket for want of buffer (SO_RXQ_OVFL): the load generator's fault.
  uint64_t socket_drops() const { return socket_drops_; }
  uint16_t local_port() const { return local_.port(); }
  // Set-up milestones (steady µs; 0 until reached), for LOADGEN_TRACE.
  struct Milestones {
    int64_t installed = 0;  // the remote SDP applied
    int64_t first_remote_candidate = 0;
    int64_t selected = 0;   // ICE selected a pair
    int64_t connected = 0;  // DTLS up
  };
  const Milestones& milestones() const { return milestones_; }

 private:
  struct RecvStream {
    uint32_t ssrc = 0;
    bool started = false;
    int64_t first = 0;
    int64_t highest = 0;
    uint64_t count = 0;
    uint16_t last_seq = 0;
    int64_t cycles = 0;
  };
  struct Outgoing {
    uint32_t ssrc = 0;
    uint8_t pt = 0;
    uint16_t seq = 0;
    uint32_t clock_rate = 90000;
    uint32_t packets = 0;
    uint32_t octets = 0;
    uint32_t last_rtp_ts = 0;
  };
  struct QueuedPacket {
    size_t payload = 0;
    bool first_of_frame = false;
    bool last_of_frame = false;
    bool keyframe = false;
    uint32_t rtp_ts = 0;
  };

  void make_agent(ice::IceRole role);
  void install(rtp::negotiation::NegotiatedSession session);
  void arm_receive();
  void drain_socket();
  void on_datagram(uint8_t* data, size_t len, int64_t arrival_ns);
  void on_rtp(uint8_t* data, size_t len, int64_t arrival_ns);
  void on_rtcp(uint8_t* data, size_t len);
  void drain_ice();
  void drain_dtls();
  void arm_timer();
  void on_timer();
  void send_now(const uint8_t* data, size_t len);
  base::Timestamp now() const;

  void media_tick();
  void queue_frame(base::Timestamp at);
  size_t write_rtp(uint8_t* buf, Outgoing& o, bool marker, uint32_t rtp_ts, size_t payload_len, bool video,
                   bool first_of_frame, bool keyframe);
  void flush_batch();
  void send_sender_reports();

  boost::asio::io_context& io_;
  ClientSessionConfig config_;
  Totals& totals_;
  boost::asio::ip::udp::socket socket_;
  ice::TransportAddress local_;
  std::mt19937_64 rng_;
  ice::IceCredentials credentials_;

  std::optional<ice::IceAgent> agent_;
  ice::IceOutput ice_out_;
  std::vector<std::string> local_candidates_;
  std::vector<std::string> early_candidates_;
  bool early_end_ = false;
  std::optional<ice::DtlsTransport> dtls_;
  ice::DtlsOutbox dtls_out_;
  std::optional<rtp::SrtpSession> srtp_;
  std::string srtp_profile_;
  std::optional<ice::TransportAddress> remote_;
  std::optional<rtp::negotiation::OfferState> offer_state_;
  rtp::negotiation::NegotiatedSession negotiated_;
  std::string failure_;
  Milestones milestones_;
  bool closed_ = false;

  boost::asio::steady_timer timer_;          // ICE, DTLS, reports
  base::Timestamp timer_at_ = base::Timestamp::infinite();
  boost::asio::steady_timer connected_wait_;  // cancelled when connected or failed
  boost::asio::steady_timer media_timer_;

  // Receiving.
  std::vector<RecvStream> streams_;
  std::array<bool, 128> media_pt_{};  // payload types of negotiated codecs
  uint32_t sample_counter_ = 0;
  uint64_t socket_drops_ = 0;
  std::vector<uint8_t> rx_;           // recvmmsg buffers
  std::vector<uint8_t> scratch_;

  // Sending.
  bool media_on_ = false;
  std::optional<Outgoing> video_;
  std::optional<Outgoing> audio_;
  uint8_t mid_ext_id_ = 0;
  uint8_t twcc_ext_id_ = 0;
  std::string video_mid_, audio_mid_;
  uint16_t twcc_seq_ = 0;
  uint32_t rtcp_ssrc_ = 0;
  std::string cname_;
  FrameSizes frame_sizes_;
  uint64_t frame_index_ = 0;
  uint32_t video_ts_base_ = 0, audio_ts_base_ = 0;
  uint64_t audio_index_ = 0;
  base::Timestamp media_start_;
  base::Timestamp next_frame_at_, next_audio_at_, pacer_next_, next_sr_at_;
  base::Timestamp last_forced_key_;
  bool force_keyframe_ = true;
  std::deque<QueuedPacket> queue_;
  std::vector<std::vector<uint8_t>> batch_;  // packets built this tick
  size_t batch_len_ = 0;
  std::vector<size_t> batch_sizes_;
};

}  // namespace medley::loadgen

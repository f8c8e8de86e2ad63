// WebRtcSession: the media side of one WebRtcEndpoint, living on its pipeline's strand: ICE, DTLS-SRTP and SCTP on
// the shared MediaPort, the received streams (SRTP in, RTX repair, NACK/PLI out, TWCC feedback, receiver reports)
// published into one Router per media kind, and the sent streams (RtpSinks fed by the connected source's Router,
// sender reports, NACK answered over RTX, PLI/FIR passed upstream), plus data channels.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include "ice/data_channel.hpp"
#include "ice/dtls_context.hpp"
#include "ice/dtls_transport.hpp"
#include "ice/ice_agent.hpp"
#include "ice/sctp_association.hpp"
#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/payload/payload.hpp"
#include "rtp/receive_stream.hpp"
#include "rtp/rtcp/twcc_feedback_builder.hpp"
#include "rtp/srtp/srtp_session.hpp"
#include "server/media/media_port.hpp"
#include "server/media/router.hpp"
#include "server/media/rtp_sink.hpp"

namespace medley::server::media {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

struct WebRtcSessionConfig {
  bool allow_loopback = false;                 // offer loopback host candidates (tests, single-machine set-ups)
  std::optional<ice::TransportAddress> stun_server;
  size_t mtu = 1200;                           // largest datagram we send (DTLS fragments to it, sinks drop larger)
  base::Duration flow_timeout = base::Duration::millis(2000);  // no packet for this long: NOT_FLOWING
  base::Duration rtcp_interval = base::Duration::millis(1000);
  base::Duration twcc_interval = base::Duration::millis(100);
  std::string software = "medley";
};

// What the control plane reads without touching the strand (copied under a mutex, refreshed as things change).
struct WebRtcSessionSnapshot {
  ice::IceState ice_state = ice::IceState::Disconnected;
  bool connected = false;         // DTLS-SRTP up (Kurento's ConnectionState CONNECTED)
  bool media_connected = false;   // Kurento's MediaState: connected and media flowing in either direction
  std::optional<std::string> local_candidate;
  std::optional<std::string> remote_candidate;
  std::array<bool, 2> flowing_in{};   // [audio, video]
  std::array<bool, 2> flowing_out{};
  std::array<uint64_t, 2> packets_in{};
  std::array<uint64_t, 2> bytes_in{};
  std::array<uint64_t, 2> packets_out{};
  std::array<uint64_t, 2> bytes_out{};
  std::array<uint64_t, 2> nacks_sent{};
  std::array<uint64_t, 2> plis_sent{};
  std::array<uint64_t, 2> packets_lost{};
  std::array<double, 2> jitter_ms{};
  std::optional<double> rtt_ms;
  std::array<bool, 2> transcoding{};
  uint64_t srtp_errors = 0;
  std::string srtp_profile;
  std::vector<std::pair<uint16_t, std::string>> data_channels;  // open channels: id, label
};

// A Kurento event raised by the session: type and its own fields (the endpoint adds source, timestamps, tags).
using SessionEventFn = std::function<void(const std::string& type, nlohmann::json fields)>;

class WebRtcSession : public DatagramReceiver, public std::enable_shared_from_this<WebRtcSession> {
 public:
  enum class Kind : uint8_t { Audio = 0, Video = 1 };

  WebRtcSession(Strand strand, MediaPort& port, std::shared_ptr<const ice::DtlsContext> dtls,
                WebRtcSessionConfig config, SessionEventFn events, uint64_t seed);
  ~WebRtcSession() override;

  // The local ICE credentials, chosen at construction (the SDP carries them).
  const ice::IceCredentials& credentials() const { return credentials_; }
  const std::shared_ptr<const ice::DtlsContext>& dtls_context() const { return dtls_context_; }
  // This session's published streams: one router per kind, existing from construction, so connections made
  // before negotiation (Kurento's usual order) have something to attach to.
  const std::shared_ptr<Router>& output(Kind kind) const { return outputs_[static_cast<size_t>(kind)]; }

  // ---- Control, from any thread: each posts to the strand, in call order. ----
  // Registers with the port. Call once after construction (it needs shared_from_this).
  void open();
  // The negotiated result (processOffer's answer or processAnswer's result). we_control: ICE controlling role
  // (we offered).
  void install(rtp::negotiation::NegotiatedSession session, bool we_control);
  void gather_candidates();
  void add_remote_candidate(std::string candidate);  // "candidate:..." ; "" means end of candidates
  // The source feeding what this session sends, per kind (null: nothing). Takes over from the previous one.
  void set_input(Kind kind, std::shared_ptr<Router> source);
  // Data channels: messages received here are handed to every data sink (a connected element's session).
  void add_data_sink(std::weak_ptr<WebRtcSession> sink);
  void remove_data_sink(const WebRtcSession* sink);
  // Kurento's createDataChannel/closeDataChannel. A channel asked for before SCTP is up opens when it is.
  void create_data_channel(std::string label, ice::DataChannelInit init);
  void close_data_channel(uint16_t id);
  // Kurento's maxVideoRecvBandwidth: a cap (bits per second, 0 = none) sent to the publisher as REMB with every
  // report, which libwebrtc applies on top of its own estimate from our transport-wide feedback.
  void set_max_video_recv_bitrate(uint64_t bps);
  // Ends everything (DTLS close_notify, SCTP abort) and leaves the port. Idempotent.
  void close();

  WebRtcSessionSnapshot snapshot() const;

  // DatagramReceiver (the port's strand): posts to ours.
  void on_datagram(const ice::TransportAddress& local, const ice::TransportAddress& from,
                   base::BufferRef datagram) override;

 private:
  struct Section;
  struct Inbound;
  struct Outbound;
  struct PendingChannel {
    std::string label;
    ice::DataChannelInit init;
  };

  // Strand-only from here.
  void do_install(rtp::negotiation::NegotiatedSession session, bool we_control);
  void start_ice(base::Timestamp now);
  void handle_datagram(base::Timestamp now, const ice::TransportAddress& local, const ice::TransportAddress& from,
                       base::BufferRef datagram);
  void handle_rtp(base::Timestamp now, base::BufferRef datagram);
  void handle_rtcp(base::Timestamp now, base::BufferRef datagram);
  void handle_timeout(base::Timestamp now);
  void drain_ice(base::Timestamp now);
  void drain_dtls(base::Timestamp now);
  void pump_sctp(base::Timestamp now);
  void on_dtls_connected(base::Timestamp now, const ice::DtlsConnected& c);
  void on_channel_event(ice::DataChannelSet::Event e);
  void deliver_data(uint16_t id, const std::string& label, bool binary, base::Bytes bytes);
  void open_pending_channels();
  void create_sinks();
  void attach_sink(Kind kind);
  void stop_sending(const char* why);
  void detach_sink(Kind kind);
  Inbound* inbound_for(const rtp::RtpPacketView& raw, bool& is_rtx);
  void send_rtcp(base::Timestamp now, std::span<uint8_t> buffer, size_t len);
  void send_reports(base::Timestamp now);
  void send_feedback(base::Timestamp now);
  void send_twcc(base::Timestamp now);
  void request_keyframe_upstream(Kind kind, base::Timestamp now);
  void update_flow(base::Timestamp now);
  void resolve(const std::string& name);
  void arm_timer(base::Timestamp at);
  void publish_snapshot();
  void emit(const std::string& type, nlohmann::json fields);
  void fail(const std::string& what);

  const Strand strand_;
  MediaPort& port_;
  const std::shared_ptr<const ice::DtlsContext> dtls_context_;
  const WebRtcSessionConfig config_;
  const SessionEventFn events_;
  uint64_t seed_;
  ice::IceCredentials credentials_;
  std::array<std::shared_ptr<Router>, 2> outputs_;
  net::EndpointId endpoint_id_ = 0;
  uint32_t stun_tag_ = 0;

  boost::asio::steady_timer timer_;
  base::Timestamp timer_at_ = base::Timestamp::infinite();
  std::optional<boost::asio::ip::udp::resolver> resolver_;

  bool closed_ = false;
  bool installed_ = false;
  bool gather_wanted_ = false;
  std::vector<std::string> early_candidates_;  // trickled before the offer/answer was installed
  bool early_end_of_candidates_ = false;
  rtp::negotiation::NegotiatedSession negotiated_;
  std::string bundle_mid_;
  size_t bundle_index_ = 0;

  std::optional<ice::IceAgent> agent_;
  ice::IceOutput ice_out_;
  std::optional<ice::DtlsTransport> dtls_;
  ice::DtlsOutbox dtls_out_;
  std::optional<rtp::SrtpSession> srtp_;
  std::optional<ice::SctpAssociation> sctp_;
  std::optional<ice::DataChannelSet> channels_;
  std::optional<ice::TransportAddress> send_from_;
  std::optional<ice::TransportAddress> remote_;
  ice::IceState ice_state_ = ice::IceState::Disconnected;
  bool data_negotiated_ = false;
  std::vector<PendingChannel> pending_channels_;
  std::vector<std::weak_ptr<WebRtcSession>> data_sinks_;
  std::vector<std::pair<uint16_t, std::string>> open_channels_;

  std::vector<std::unique_ptr<Section>> sections_;
  std::vector<std::unique_ptr<Inbound>> inbound_;
  std::unique_ptr<RtpSinkTransport> sink_transport_;
  std::array<std::unique_ptr<Outbound>, 2> outbound_;
  std::array<std::shared_ptr<Router>, 2> inputs_;
  std::array<std::shared_ptr<Router>, 2> attached_;  // where each sink is: the input, or its transcoding branch
  std::array<bool, 2> transcoding_{};
  std::array<bool, 2> attached_blind_{};  // attached while the source's codecs were unknown: decided again later
  rtp::Ssrc rtcp_ssrc_{1};
  std::string cname_;

  std::vector<rtp::rtcp::TwccArrival> twcc_arrivals_;
  std::optional<rtp::rtcp::TwccFeedbackBuilder> twcc_;
  rtp::SeqUnwrapper twcc_unwrap_;
  base::Timestamp next_rtcp_;
  base::Timestamp next_twcc_;
  base::Timestamp next_flow_check_;

  std::array<base::Timestamp, 2> last_in_{};
  std::array<uint64_t, 2> last_out_count_{};
  std::array<base::Timestamp, 2> last_out_change_{};
  std::array<bool, 2> flowing_in_{};
  std::array<bool, 2> flowing_out_{};
  bool connected_ = false;
  bool sending_ = true;   // false once the peer is gone (DTLS closed, consent lost): sinks detached, nothing sent
  bool pumping_ = false;  // inside pump_sctp
  std::vector<ice::TransportAddress> known_remotes_;  // claimed on the port after an authenticated check
  bool media_connected_ = false;
  uint64_t srtp_errors_ = 0;
  std::string srtp_profile_;
  uint64_t max_video_recv_bps_ = 0;

  mutable std::mutex snapshot_mutex_;  // a leaf lock: the strand writes, the control plane reads
  WebRtcSessionSnapshot snapshot_;
};

}  // namespace medley::server::media

// The outcome of an SDP offer/answer exchange, per m-section and for the shared transport: what the media
// pipeline, the ICE agent and the DTLS transport need, with nothing left to re-read from SDP text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtp/base/frame.hpp"
#include "rtp/ids.hpp"
#include "rtp/negotiation/negotiation_error.hpp"
#include "rtp/sdp/attribute.hpp"

namespace medley::rtp::negotiation {

enum class MediaKind { Audio, Video, Data, Other };
std::string_view to_string(MediaKind k);
// "audio"/"video" are RTP kinds, "application" is data; anything else is Other.
MediaKind media_kind(std::string_view media);

struct NegotiatedCodec {
  PayloadType payload_type;
  std::string name;  // as the remote wrote it ("VP8", "opus")
  uint32_t clock_rate = 0;
  std::optional<uint32_t> channels;
  base::CodecId codec_id = base::CodecId::Unknown;
  std::string remote_fmtp;  // the peer's format parameters (its receive constraints)
  std::string local_fmtp;   // ours, as written in our SDP
  std::vector<sdp::RtcpFb> feedback;  // both sides support it; payload_type set
  std::optional<PayloadType> rtx_payload_type;  // RFC 4588 apt pairing

  bool has_feedback(std::string_view type, std::string_view subtype = {}) const;
};

struct NegotiatedExtension {
  uint16_t id = 0;
  std::string uri;
  std::optional<sdp::Direction> direction;  // as written in our SDP
  bool operator==(const NegotiatedExtension&) const = default;
};

// What the peer said about the streams it sends in this section.
struct RemoteStreams {
  std::vector<Ssrc> ssrcs;                        // in order of appearance
  std::vector<std::pair<Ssrc, Ssrc>> fid_groups;  // (media, rtx)
  std::vector<Ssrc> sim_group;                    // a=ssrc-group:SIM layers, if any
  std::vector<sdp::Rid> rids;                     // a=rid lines (simulcast), as offered
  std::string cname;
  std::optional<sdp::Msid> msid;  // a=msid, else the first a=ssrc msid
};

// The stream we send in this section (present when our direction sends).
struct LocalSendStream {
  Ssrc ssrc;
  std::optional<Ssrc> rtx_ssrc;
  std::string cname;
  std::string stream_id;
  std::string track_id;
};

struct NegotiatedMedia {
  size_t index = 0;  // m-line index (sdpMLineIndex)
  std::string mid;   // empty if the section had none
  MediaKind kind = MediaKind::Other;
  std::string media;  // the m= media token
  std::string proto;
  bool accepted = false;
  std::string rejection_reason;  // why not, when !accepted

  sdp::Direction direction = sdp::Direction::Inactive;  // ours: sendrecv means we send and receive
  std::vector<NegotiatedCodec> codecs;  // preference order of the offer, no RTX entries
  std::vector<NegotiatedExtension> extensions;
  bool rtcp_mux = false;
  bool rtcp_rsize = false;
  RemoteStreams remote;
  std::optional<LocalSendStream> send;

  // Data channels (kind Data).
  std::optional<uint16_t> remote_sctp_port;
  std::optional<uint64_t> remote_max_message_size;
  uint16_t local_sctp_port = 0;
  uint64_t local_max_message_size = 0;
  bool legacy_sctpmap = false;  // "DTLS/SCTP 5000" + a=sctpmap form

  bool sends() const { return direction == sdp::Direction::SendRecv || direction == sdp::Direction::SendOnly; }
  bool receives() const { return direction == sdp::Direction::SendRecv || direction == sdp::Direction::RecvOnly; }
  const NegotiatedCodec* codec(PayloadType pt) const;
  std::optional<uint16_t> extension_id(std::string_view uri) const;
};

enum class DtlsRole { Client, Server };  // Client = a=setup:active

struct RemoteTransport {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<sdp::Fingerprint> fingerprints;
  std::vector<sdp::Candidate> candidates;  // from the SDP (more may trickle in)
  bool end_of_candidates = false;
  bool ice_lite = false;
  bool trickle = false;
};

struct NegotiatedSession {
  std::vector<NegotiatedMedia> media;  // one per m-section, in order
  std::vector<std::string> bundle_mids;  // the BUNDLE group (accepted sections), first = tagged
  sdp::SetupRole local_setup = sdp::SetupRole::Active;
  DtlsRole dtls_role = DtlsRole::Client;
  RemoteTransport remote;

  const NegotiatedMedia* find(std::string_view mid) const;
  size_t accepted_count() const;
};

}  // namespace medley::rtp::negotiation

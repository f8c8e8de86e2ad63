// Our side of the shared transport as plain values (ICE credentials, DTLS fingerprint and role choice, gathered
// candidates) and the identity our sent streams carry (cname, msid stream id, a seed for SSRCs and track ids).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtp/negotiation/negotiated_session.hpp"
#include "rtp/negotiation/negotiation_error.hpp"
#include "rtp/sdp/session_description.hpp"
#include "rtp/sdp/attribute.hpp"

namespace medley::rtp::negotiation {

struct TransportParams {
  std::string ice_ufrag;  // RFC 8839 section 5.4: 4..256 ice-chars
  std::string ice_pwd;    // 22..256 ice-chars
  bool ice_trickle = true;  // a=ice-options:trickle (Kurento trickles its candidates)
  bool ice_lite = false;
  std::string fingerprint_algorithm = "sha-256";
  std::string fingerprint;  // "AB:CD:...", as the certificate reports it
  // Our role when the offer says a=setup:actpass. Kurento answers active (DTLS client), following RFC 5763
  // section 5 ("the answerer ... SHOULD be active"); passive makes us the DTLS server.
  sdp::SetupRole answer_setup = sdp::SetupRole::Active;
  // Candidates known when the SDP is written ("candidate:..." or the value alone); usually none (trickled later).
  std::vector<std::string> candidates;
  bool gathering_done = false;  // adds a=end-of-candidates
};

// The identity of what we send.
struct LocalIdentity {
  std::string cname;      // RTCP CNAME; derived from the seed when empty
  std::string stream_id;  // a=msid stream id; derived when empty or "-" (a page needs a real stream)
  uint64_t seed = 0;      // SSRCs, track ids and the o= session id come from it (deterministic)
  uint64_t session_version = 2;
};

// The transport attributes every accepted section carries: ICE credentials and options, fingerprint, setup.
// Validates the parameters first (a bad local value is a bug in the caller, reported as an error anyway).
struct TransportAttributes {
  sdp::IceUfrag ufrag;
  sdp::IcePwd pwd;
  sdp::Fingerprint fingerprint;
  std::vector<sdp::Candidate> candidates;
};
base::Result<TransportAttributes, std::string> make_transport_attributes(const TransportParams& t);
// Appends them to a section, in libwebrtc's order; candidates only when `with_candidates`.
void add_transport_attributes(sdp::AttributeList& attrs, const TransportParams& t, const TransportAttributes& ta,
                              sdp::SetupRole setup, bool with_candidates);

// Deterministic ids from a seed (splitmix64): SSRCs that avoid the ones given, and short random tokens.
class IdGenerator {
 public:
  explicit IdGenerator(uint64_t seed) : state_(seed) {}
  uint64_t next();
  Ssrc ssrc(const std::vector<Ssrc>& avoid);
  std::string token(size_t length);  // [A-Za-z0-9]
  std::string uuid();                // 8-4-4-4-12 lower-case hex, like browsers' track ids

 private:
  uint64_t state_;
};

// The cname and stream id we use, after defaults from the generator.
struct ResolvedIdentity {
  std::string cname;
  std::string stream_id;
};
ResolvedIdentity resolve_identity(const LocalIdentity& id, IdGenerator& gen);
// A new send stream (and RTX stream) whose SSRCs avoid `taken`, which gets them added.
LocalSendStream make_send_stream(IdGenerator& gen, const ResolvedIdentity& id, bool with_rtx, std::vector<Ssrc>& taken);
// v=, o=- <id> <version> IN IP4 0.0.0.0, s=-, t=0 0, and a=ice-lite when we are lite.
sdp::SessionDescription session_skeleton(IdGenerator& gen, const LocalIdentity& id, const TransportParams& t);

}  // namespace medley::rtp::negotiation

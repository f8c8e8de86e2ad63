// A small program around rtp/negotiation for the interop test (negotiation_peer.js) and for looking at answers
// by hand. Reads SDP on stdin, writes SDP on stdout; errors go to stderr with exit code 1.
//   negotiation_cli answer [seed]          offer on stdin -> our answer (process_offer)
//   negotiation_cli offer <seed> [kinds]   our offer (generate_offer); kinds like "avd" (audio, video, data)
//   negotiation_cli process-answer <seed> [kinds]
//                                          regenerates the same offer from the seed, reads the peer's answer on
//                                          stdin, prints a summary of the NegotiatedSession
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "rtp/negotiation/generate_offer.hpp"
#include "rtp/negotiation/process_offer.hpp"

using namespace medley::rtp;
using namespace medley::rtp::negotiation;

namespace {

TransportParams transport() {
  TransportParams t;
  t.ice_ufrag = "mdly";
  t.ice_pwd = "0123456789abcdefghijklmn";
  t.fingerprint =
      "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
  return t;
}

std::vector<OfferSection> sections(const std::string& kinds) {
  std::vector<OfferSection> v;
  for (char k : kinds) {
    if (k == 'a') v.push_back({MediaKind::Audio, sdp::Direction::SendRecv});
    if (k == 'v') v.push_back({MediaKind::Video, sdp::Direction::SendRecv});
    if (k == 'd') v.push_back({MediaKind::Data, sdp::Direction::SendRecv});
    if (k == 'r') v.push_back({MediaKind::Video, sdp::Direction::RecvOnly});
    if (k == 's') v.push_back({MediaKind::Video, sdp::Direction::SendOnly});
  }
  return v;
}

int fail(const NegotiationError& e) {
  std::cerr << "error " << e.code << ": " << e.reason << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: negotiation_cli answer [seed] | offer <seed> [kinds] | process-answer <seed> [kinds]\n";
    return 2;
  }
  const std::string mode = argv[1];
  LocalIdentity id;
  id.seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  const std::string kinds = argc > 3 ? argv[3] : "avd";
  const auto caps = LocalCapabilities::defaults();
  if (mode == "answer") {
    std::string offer((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    auto r = process_offer(offer, caps, transport(), id);
    if (!r) return fail(r.error());
    for (const auto& m : r->session.media)
      if (!m.accepted) std::cerr << "rejected m-section " << m.index << ": " << m.rejection_reason << "\n";
    std::cout << r->sdp;
    return 0;
  }
  auto offer = generate_offer(caps, transport(), id, sections(kinds));
  if (!offer) return fail(offer.error());
  if (mode == "offer") {
    std::cout << offer->sdp;
    return 0;
  }
  if (mode == "process-answer") {
    std::string answer((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    auto s = process_answer(answer, offer->state);
    if (!s) return fail(s.error());
    std::cout << "dtls_role " << (s->dtls_role == DtlsRole::Client ? "client" : "server") << "\n";
    std::cout << "remote_ufrag " << s->remote.ice_ufrag << "\n";
    for (const auto& m : s->media) {
      std::cout << "section " << m.index << " mid " << m.mid << " " << to_string(m.kind)
                << (m.accepted ? " accepted" : " rejected") << " direction " << sdp::to_string(m.direction);
      for (const auto& c : m.codecs) {
        std::cout << " " << c.name << "/" << int(c.payload_type.value);
        if (c.rtx_payload_type) std::cout << "+rtx/" << int(c.rtx_payload_type->value);
      }
      if (m.remote_sctp_port) std::cout << " sctp " << *m.remote_sctp_port;
      std::cout << "\n";
    }
    return 0;
  }
  std::cerr << "unknown mode " << mode << "\n";
  return 2;
}

// Fuzzes IceAgent in each state (fresh, checking, connected): random datagrams as STUN from random addresses,
// well-authenticated requests and responses with fuzzed fields (to get past MESSAGE-INTEGRITY), random candidate
// strings, mDNS answers, restarts and time jumps. Never crashes; tables stay bounded; timers always move forward.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ice/ice_agent.hpp"
#include "ice/stun_message.hpp"
#include "ice/stun_writer.hpp"

namespace {

using namespace medley;
using namespace medley::ice;

constexpr const char* kPwdA = "aaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kPwdB = "bbbbbbbbbbbbbbbbbbbbbbbb";

class Input {
 public:
  Input(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool empty() const { return pos_ >= n_; }
  uint8_t u8() { return pos_ < n_ ? d_[pos_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>((u8() << 8) | u8()); }
  uint32_t u32() { return (uint32_t{u16()} << 16) | u16(); }
  uint64_t u64() { return (uint64_t{u32()} << 32) | u32(); }
  base::Bytes bytes(size_t max) {
    size_t len = std::min<size_t>(u8() % (max + 1), n_ - std::min(pos_, n_));
    base::Bytes b(d_ + pos_, len);
    pos_ += len;
    return b;
  }
  std::string_view text(size_t max) {
    auto b = bytes(max);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t pos_ = 0;
};

TransportAddress addr(const char* s) { return *TransportAddress::parse_with_port(s); }

const TransportAddress kHostsA[] = {addr("10.0.0.1:4000"), addr("[2001:db8::1]:4000")};
const TransportAddress kHostB = addr("10.0.0.2:5000");

TransportAddress pick_address(Input& in) {
  switch (in.u8() % 4) {
    case 0: return kHostB;
    case 1: {
      std::array<uint8_t, 4> ip{10, 1, static_cast<uint8_t>(in.u8() % 4), in.u8()};
      return TransportAddress::ipv4(ip, in.u16());
    }
    case 2: {
      std::array<uint8_t, 16> ip{0x20, 0x01, 0x0d, 0xb8};
      ip[15] = in.u8();
      return TransportAddress::ipv6(ip, in.u16());
    }
    default: return TransportAddress::ipv4({198, 51, 100, 1}, 3478);  // the STUN server
  }
}

IceAgentConfig config(const char* ufrag, const char* pwd, IceRole role, uint64_t tie,
                      std::vector<TransportAddress> hosts, uint8_t seed) {
  IceAgentConfig c;
  c.local = {ufrag, pwd};
  c.role = role;
  c.tie_breaker = tie;
  c.random_seed.fill(seed);
  c.host_addresses = std::move(hosts);
  c.stun_server = TransportAddress::ipv4({198, 51, 100, 1}, 3478);
  return c;
}

void check_invariants(const IceAgent& a, const IceAgentConfig& c) {
  if (a.checklist().size() > c.max_pairs) __builtin_trap();
  if (a.remote_candidate_count() > c.max_remote_candidates) __builtin_trap();
  if (a.transaction_count() > 3 * c.max_pairs + 8 + 16) __builtin_trap();
  if (a.local_candidate_count() > 48) __builtin_trap();
}

// Connects a (A) with a peer (B) directly (no loss), for the "connected" starting state.
void connect(IceAgent& a, base::Timestamp& now) {
  IceAgent b(config("ufB1", kPwdB, IceRole::Controlled, 2, {kHostB}, 2));
  IceOutput oa, ob;
  a.set_remote_credentials("ufB1", kPwdB);
  b.set_remote_credentials("ufA1", kPwdA);
  a.start(now, oa);
  b.start(now, ob);
  b.add_remote_candidate(now, "candidate:1 1 udp 2130706431 10.0.0.1 4000 typ host", ob);
  a.add_remote_candidate(now, "candidate:2 1 udp 2130706431 10.0.0.2 5000 typ host", oa);
  for (int i = 0; i < 200 && !(a.state() == IceState::Ready && b.state() == IceState::Ready); ++i) {
    now = base::earliest(a.next_timeout(), b.next_timeout());
    now = std::max(now, base::Timestamp::millis(1));
    a.handle_timeout(now, oa);
    b.handle_timeout(now, ob);
    for (int round = 0; round < 4 && (!oa.transmits.empty() || !ob.transmits.empty()); ++round) {
      std::vector<Transmit> ta(oa.transmits.begin(), oa.transmits.end());
      std::vector<Transmit> tb(ob.transmits.begin(), ob.transmits.end());
      oa.clear();
      ob.clear();
      for (auto& t : ta) {
        if (t.remote == kHostB) b.handle_stun(now, t.remote, t.local, t.bytes, ob);
      }
      for (auto& t : tb) a.handle_stun(now, t.remote, t.local, t.bytes, oa);
    }
    oa.clear();
    ob.clear();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const uint8_t mode = in.u8();
  IceAgentConfig cfg = config("ufA1", kPwdA, (mode & 4) ? IceRole::Controlled : IceRole::Controlling, 100,
                              {kHostsA[0], kHostsA[1]}, 1);
  cfg.nomination = (mode & 8) ? NominationMode::Aggressive : NominationMode::Regular;
  cfg.consent_randomize = (mode & 16) != 0;
  if (mode & 32) {
    cfg.max_pairs = 8;
    cfg.max_remote_candidates = 5;
  }
  IceAgent agent(cfg);
  IceOutput out;
  base::Timestamp now = base::Timestamp::millis(1);
  switch (mode % 3) {
    case 0:  // fresh: nothing started, no credentials
      break;
    case 1:  // checking
      agent.set_remote_credentials("ufB1", kPwdB);
      agent.start(now, out);
      agent.add_remote_candidate(now, "candidate:2 1 udp 2130706431 10.0.0.2 5000 typ host", out);
      agent.handle_timeout(now, out);
      break;
    default:  // connected
      connect(agent, now);
      break;
  }
  out.clear();

  // Transaction ids of our requests, so fuzzed responses can match them.
  std::vector<StunTransactionId> ours;
  std::array<uint8_t, 1500> buf{};
  const auto key_a = StunIntegrityKey::short_term(kPwdA);
  const auto key_b = StunIntegrityKey::short_term(kPwdB);

  for (int ops = 0; ops < 64 && !in.empty(); ++ops) {
    const uint8_t op = in.u8();
    const TransportAddress local = (op & 0x80) ? pick_address(in) : kHostsA[(op >> 4) & 1];
    switch (op % 9) {
      case 0: {  // raw bytes as a datagram
        agent.handle_stun(now, local, pick_address(in), in.bytes(255), out);
        break;
      }
      case 1: {  // an authenticated request with fuzzed fields
        StunTransactionId id{};
        for (auto& b : id) b = in.u8();
        const uint8_t flags = in.u8();
        StunWriter w(buf, StunMethod::Binding, StunClass::Request, id);
        if (!(flags & 1)) w.add_username((flags & 2) ? "ufA1:ufB1" : "ufA1:x");
        if (!(flags & 4)) w.add_priority(in.u32());
        if (flags & 8) w.add_ice_controlling(in.u64());
        if (flags & 16) w.add_ice_controlled(in.u64());
        if (flags & 32) w.add_use_candidate();
        if (flags & 64) w.add(in.u16(), in.bytes(16));
        if (!(flags & 128)) w.add_message_integrity(key_a);
        w.add_fingerprint();
        if (auto m = w.finish()) agent.handle_stun(now, local, pick_address(in), *m, out);
        break;
      }
      case 2: {  // a response to one of our requests
        if (ours.empty()) break;
        const StunTransactionId& id = ours[in.u8() % ours.size()];
        const uint8_t flags = in.u8();
        std::optional<base::Bytes> m;
        const StunIntegrityKey& key = (flags & 1) ? key_a : key_b;
        if (flags & 2) {
          static const uint16_t codes[] = {400, 401, 420, 487, 500};
          m = write_binding_error(buf, id, codes[in.u8() % 5], (flags & 4) ? &key : nullptr);
        } else if (flags & 8) {
          StunWriter w(buf, StunMethod::Binding, StunClass::SuccessResponse, id);  // a STUN server's answer
          w.add_xor_mapped_address(pick_address(in));
          m = w.finish();
        } else {
          m = write_binding_success(buf, id, pick_address(in), key);
        }
        if (m) agent.handle_stun(now, local, pick_address(in), *m, out);
        break;
      }
      case 3:
        agent.add_remote_candidate(now, in.text(120), out);
        break;
      case 4: {  // a structured candidate, possibly an mDNS name
        // Appends only: GCC 12 -O3 warns falsely (-Wrestrict) on "literal" + std::string.
        std::string c = "candidate:";
        c += std::to_string(in.u8());
        c += ' ';
        c += std::to_string(1 + in.u8() % 2);
        c += " udp ";
        c += std::to_string(1 + in.u32() % 0xFFFFFFFE);
        c += ' ';
        TransportAddress a = pick_address(in);
        if (in.u8() & 1) {
          c += 'h';
          c += std::to_string(in.u8() % 8);
          c += ".local";
        } else {
          c += a.ip_string();
        }
        c += ' ';
        c += std::to_string(a.port());
        c += " typ ";
        static const char* types[] = {"host", "srflx", "prflx", "relay"};
        c += types[in.u8() % 4];
        agent.add_remote_candidate(now, c, out);
        break;
      }
      case 5: {
        const uint8_t what = in.u8();
        std::string name = "h";
        name += std::to_string(in.u8() % 8);
        name += ".local";
        if (what % 4 == 0) agent.add_resolved_address(now, name, pick_address(in), out);
        if (what % 4 == 1) agent.hostname_unresolved(now, name, "fuzz", out);
        if (what % 4 == 2) agent.end_of_candidates(now, out);
        if (what % 4 == 3) agent.set_remote_credentials((what & 4) ? "ufB1" : "ufB2", kPwdB);
        break;
      }
      case 6:
        if (in.u8() % 8 == 0) {
          agent.restart(now, {"ufA1", kPwdA}, out, (op & 0x40) ? std::optional(IceRole::Controlled) : std::nullopt);
        } else {
          agent.start(now, out);
        }
        break;
      default: {  // time passes: to the next timeout, or a jump
        base::Timestamp t = agent.next_timeout();
        if ((op & 0x40) || t.is_infinite()) {
          now += base::Duration::millis(in.u16());
        } else {
          now = std::max(now, t);
        }
        agent.handle_timeout(now, out);
        if (agent.next_timeout() <= now) __builtin_trap();  // a timer that never moves is a busy loop
        break;
      }
    }
    for (const auto& t : out.transmits) {
      auto v = StunMessageView::parse(t.bytes);
      if (!v) __builtin_trap();  // we only ever send well-formed STUN
      if (v->is_request()) {
        ours.push_back(v->transaction_id());
        if (ours.size() > 64) ours.erase(ours.begin());
      }
    }
    out.clear();
    check_invariants(agent, cfg);
  }
  return 0;
}

// A seeded in-memory network and a two-agent harness for IceAgent tests: loss, delay, jitter (reordering), a NAT
// rewrite, blackholes, and a toy STUN server; a virtual clock stepped to the next timeout. No sleeps.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ice/ice_agent.hpp"
#include "ice/stun_message.hpp"
#include "ice/stun_writer.hpp"

namespace medley::ice::sim {

inline TransportAddress addr(const char* host_port) { return *TransportAddress::parse_with_port(host_port); }

inline std::array<uint8_t, 32> seed_of(uint8_t x) {
  std::array<uint8_t, 32> s{};
  s.fill(x);
  return s;
}

struct Datagram {
  base::Timestamp at;
  uint64_t order = 0;
  TransportAddress from;
  TransportAddress to;
  std::vector<uint8_t> bytes;
};

class Network {
 public:
  explicit Network(uint64_t seed) : rng_(seed) {}

  double loss = 0.0;
  base::Duration delay = base::Duration::millis(20);
  base::Duration jitter = base::Duration::zero();  // uniform extra delay: reorders when larger than the spacing
  // NAT: traffic from `inside` leaves as `outside`, traffic to `outside` reaches `inside`.
  std::map<TransportAddress, TransportAddress> nat_out;
  std::map<TransportAddress, TransportAddress> nat_in;
  std::vector<TransportAddress> blackholed;  // nothing to or from these gets through
  uint64_t sent = 0;
  uint64_t lost = 0;

  void add_nat(const TransportAddress& inside, const TransportAddress& outside) {
    nat_out[inside] = outside;
    nat_in[outside] = inside;
  }

  bool trace = std::getenv("ICE_SIM_TRACE") != nullptr;

  void send(base::Timestamp now, const TransportAddress& from, const TransportAddress& to,
            std::vector<uint8_t> bytes) {
    ++sent;
    if (trace) {
      auto m = StunMessageView::parse(bytes);
      std::fprintf(stderr, "%8lld %s -> %s cls %d len %zu\n", static_cast<long long>(now.ms()),
                   from.to_string().c_str(), to.to_string().c_str(), m ? static_cast<int>(m->cls()) : -1,
                   bytes.size());
    }
    if (is_blackholed(from) || is_blackholed(to)) return;
    if (loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < loss) {
      ++lost;
      return;
    }
    Datagram d;
    d.from = from;
    if (auto it = nat_out.find(from); it != nat_out.end()) d.from = it->second;
    d.to = to;
    if (auto it = nat_in.find(to); it != nat_in.end()) d.to = it->second;
    int64_t extra = jitter.us() > 0 ? std::uniform_int_distribution<int64_t>(0, jitter.us())(rng_) : 0;
    d.at = now + delay + base::Duration::micros(extra);
    d.order = order_++;
    d.bytes = std::move(bytes);
    queue_.push_back(std::move(d));
  }

  base::Timestamp next_delivery() const {
    base::Timestamp t = base::Timestamp::infinite();
    for (const auto& d : queue_) t = base::earliest(t, d.at);
    return t;
  }

  // The earliest due datagram (ties in send order), if any is due.
  std::optional<Datagram> pop_due(base::Timestamp now) {
    auto best = queue_.end();
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->at > now) continue;
      if (best == queue_.end() || it->at < best->at || (it->at == best->at && it->order < best->order)) best = it;
    }
    if (best == queue_.end()) return std::nullopt;
    Datagram d = std::move(*best);
    queue_.erase(best);
    return d;
  }

 private:
  bool is_blackholed(const TransportAddress& a) const {
    return std::find(blackholed.begin(), blackholed.end(), a) != blackholed.end();
  }

  std::mt19937_64 rng_;
  uint64_t order_ = 0;
  std::vector<Datagram> queue_;
};

// One side: an agent, its address list, what it emitted, and what it signals to the other side.
struct Side {
  std::string name;
  std::unique_ptr<IceAgent> agent;
  std::vector<IceEvent> events;
  bool trickle = true;  // forward CandidateGathered to the peer
  bool forward_end_of_candidates = true;
  std::vector<TransportAddress> addresses;

  std::vector<IceState> states() const {
    std::vector<IceState> s;
    for (const auto& e : events) {
      if (auto* c = std::get_if<StateChanged>(&e)) s.push_back(c->state);
    }
    return s;
  }
  template <class E>
  std::vector<E> all() const {
    std::vector<E> out;
    for (const auto& e : events) {
      if (auto* x = std::get_if<E>(&e)) out.push_back(*x);
    }
    return out;
  }
  template <class E>
  size_t count() const {
    return all<E>().size();
  }
};

inline IceAgentConfig make_config(const char* ufrag, const char* pwd, IceRole role, uint64_t tie_breaker,
                                  std::vector<TransportAddress> hosts, uint8_t seed) {
  IceAgentConfig c;
  c.local = {ufrag, pwd};
  c.role = role;
  c.tie_breaker = tie_breaker;
  c.random_seed = seed_of(seed);
  c.host_addresses = std::move(hosts);
  c.consent_randomize = false;
  return c;
}

// Two agents wired through a Network, with signalling (credentials, trickled candidates) done by the harness.
class Pair {
 public:
  explicit Pair(uint64_t seed = 1) : net(seed) {}

  Network net;
  Side a{"A"};
  Side b{"B"};
  base::Timestamp now = base::Timestamp::millis(1000);
  // A toy STUN server: answers plain binding requests with the (NAT-translated) source address.
  std::optional<TransportAddress> stun_server;
  uint64_t iterations = 0;

  void create(IceAgentConfig ca, IceAgentConfig cb) {
    a.addresses = ca.host_addresses;
    b.addresses = cb.host_addresses;
    a.agent = std::make_unique<IceAgent>(std::move(ca));
    b.agent = std::make_unique<IceAgent>(std::move(cb));
  }

  // Exchanges credentials as the SDP offer/answer would.
  void exchange_credentials() {
    a.agent->set_remote_credentials(b.agent->local_credentials().ufrag, b.agent->local_credentials().pwd);
    b.agent->set_remote_credentials(a.agent->local_credentials().ufrag, a.agent->local_credentials().pwd);
  }

  void start_both() {
    IceOutput out;
    a.agent->start(now, out);
    drain(a, b, out);
    b.agent->start(now, out);
    drain(b, a, out);
  }

  Side& peer_of(Side& s) { return &s == &a ? b : a; }

  // Sends what `from` produced and applies its signalling to `to`.
  void drain(Side& from, Side& to, IceOutput& out) {
    for (auto& t : out.transmits) net.send(now, t.local, t.remote, std::move(t.bytes));
    std::vector<IceEvent> events(out.events.begin(), out.events.end());
    out.clear();
    for (auto& e : events) {
      from.events.push_back(e);
      if (auto* c = std::get_if<CandidateGathered>(&e); c && from.trickle && to.agent) {
        IceOutput o2;
        to.agent->add_remote_candidate(now, c->candidate, o2);
        drain(to, from, o2);
      } else if (std::holds_alternative<GatheringDone>(e) && from.forward_end_of_candidates && to.agent) {
        IceOutput o2;
        to.agent->end_of_candidates(now, o2);
        drain(to, from, o2);
      }
    }
  }

  Side* owner(const TransportAddress& addr) {
    for (Side* s : {&a, &b}) {
      if (std::find(s->addresses.begin(), s->addresses.end(), addr) != s->addresses.end()) return s;
    }
    return nullptr;
  }

  // One step: the earliest of the two agents' timeouts and the next delivery. Returns false when nothing is left
  // before `until`.
  bool step(base::Timestamp until) {
    base::Timestamp t = base::earliest(a.agent->next_timeout(), b.agent->next_timeout());
    t = base::earliest(t, net.next_delivery());
    if (t > until) {
      now = until;
      return false;
    }
    if (t > now) now = t;
    ++iterations;
    while (auto d = net.pop_due(now)) {
      if (stun_server && d->to == *stun_server) {
        answer_stun(*d);
        continue;
      }
      Side* s = owner(d->to);
      if (s == nullptr) continue;
      IceOutput out;
      s->agent->handle_stun(now, d->to, d->from, d->bytes, out);
      drain(*s, peer_of(*s), out);
    }
    for (Side* s : {&a, &b}) {
      if (s->agent->next_timeout() <= now) {
        IceOutput out;
        s->agent->handle_timeout(now, out);
        drain(*s, peer_of(*s), out);
      }
    }
    return true;
  }

  void run_for(base::Duration d) {
    base::Timestamp until = now + d;
    while (step(until)) {
      ASSERT_LT(iterations, 2'000'000u) << "the agents never go quiet";
    }
  }

  // Runs until pred() or the deadline; returns pred().
  bool run_until(const std::function<bool()>& pred, base::Duration max) {
    base::Timestamp until = now + max;
    while (!pred()) {
      if (!step(until)) return pred();
      if (iterations > 2'000'000u) return false;
    }
    return true;
  }

  bool both_ready() const {
    return a.agent->state() == IceState::Ready && b.agent->state() == IceState::Ready;
  }

  void answer_stun(const Datagram& d) {
    auto msg = StunMessageView::parse(d.bytes);
    if (!msg || !msg->is_binding_request()) return;
    std::array<uint8_t, 512> buf{};
    StunWriter w(buf, StunMethod::Binding, StunClass::SuccessResponse, msg->transaction_id());
    w.add_xor_mapped_address(d.from);
    w.add_fingerprint();
    auto bytes = w.finish();
    if (bytes) net.send(now, *stun_server, d.from, std::vector<uint8_t>(bytes->begin(), bytes->end()));
  }
};

}  // namespace medley::ice::sim

namespace medley::ice::sim {
inline std::string describe(const IceEvent& e) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, CandidateGathered>) return "CandidateGathered " + x.candidate.to_string();
        if constexpr (std::is_same_v<T, GatheringDone>) return "GatheringDone";
        if constexpr (std::is_same_v<T, StateChanged>) return "StateChanged " + std::string(to_string(x.state));
        if constexpr (std::is_same_v<T, SelectedPairChanged>)
          return "SelectedPairChanged " + x.send_from.to_string() + " -> " + x.remote.address.to_string();
        if constexpr (std::is_same_v<T, ResolveHostname>) return "ResolveHostname " + x.name;
        if constexpr (std::is_same_v<T, RemoteCandidateRejected>)
          return "RemoteCandidateRejected " + x.candidate + ": " + x.reason;
        if constexpr (std::is_same_v<T, RoleChanged>) return "RoleChanged " + std::string(to_string(x.role));
        return "?";
      },
      e);
}
inline std::string describe(const Side& s) {
  std::string out;
  for (const auto& e : s.events) out += s.name + ": " + describe(e) + "\n";
  const auto& st = s.agent->stats();
  out += s.name + ": checks " + std::to_string(st.checks_sent) + " retx " + std::to_string(st.retransmissions) +
         " req " + std::to_string(st.requests_received) + " resp " + std::to_string(st.responses_received) +
         " consent " + std::to_string(st.consent_checks_sent) + "\n";
  for (size_t i = 0; i < st.drops.size(); ++i) {
    if (st.drops[i]) out += s.name + ": drop " + std::string(to_string(static_cast<IceDropReason>(i))) + " " +
                            std::to_string(st.drops[i]) + "\n";
  }
  for (const auto& p : s.agent->checklist().pairs()) {
    out += s.name + ": pair " + std::to_string(p.id) + " " + std::string(to_string(p.state)) +
           (p.valid ? " valid" : "") + (p.nominated ? " nominated" : "") + (p.nominating ? " nominating" : "") + "\n";
  }
  return out;
}
}  // namespace medley::ice::sim

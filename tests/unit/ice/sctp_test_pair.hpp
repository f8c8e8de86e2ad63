// Test helper: two SctpAssociations back to back in one process under a fake clock, with optional packet loss.
#pragma once

#include <sys/time.h>

#include <functional>
#include <utility>
#include <vector>

#include "ice/sctp_association.hpp"

namespace medley::ice::test {

// usrsctp's timers are one process-wide list, driven by the latest `now` any association saw; so every pair in
// a test binary shares one fake clock that only moves forward.
inline base::Timestamp& shared_clock() {
  static base::Timestamp clock = base::Timestamp::millis(1'000'000);
  return clock;
}

}  // namespace medley::ice::test

// usrsctp runs its timers on our ticks but reads gettimeofday() for RTT, for the "outstanding one RTO" check
// before a T3 retransmission and for PR-SCTP lifetimes. A fake clock that races ahead of the wall clock would
// see T3 fire without retransmitting until the association dies. The test binary therefore interposes
// gettimeofday (the executable's definition wins over libc's for libusrsctp's calls): usrsctp's wall clock is
// the test's fake clock, and the simulation is deterministic. Include this header from one .cpp per binary.
extern "C" int gettimeofday(struct timeval* __restrict tv, void* __restrict /*tz*/) __THROW {
  int64_t us = medley::ice::test::shared_clock().us();
  tv->tv_sec = static_cast<time_t>(us / 1'000'000);
  tv->tv_usec = static_cast<suseconds_t>(us % 1'000'000);
  return 0;
}

namespace medley::ice::test {

struct SctpPair {
  using Event = SctpAssociation::Event;

  explicit SctpPair(SctpConfig config = {}) : a(config), b(config) {}

  SctpAssociation a;
  SctpAssociation b;
  base::Timestamp& now = shared_clock();
  // Returns true to drop a packet; from_a says its direction. Empty: deliver everything.
  std::function<bool(bool from_a, const std::vector<uint8_t>&)> drop;
  std::vector<Event> events_a;
  std::vector<Event> events_b;
  size_t delivered = 0;
  size_t dropped = 0;
  size_t largest_packet = 0;

  void start() {
    a.start(now);
    b.start(now);
    exchange();
  }

  // Moves packets both ways until neither side has one left; collects events.
  void exchange() {
    std::vector<uint8_t> pkt;
    for (int round = 0; round < 100000; ++round) {
      bool moved = false;
      while (a.poll_transmit(pkt)) {
        moved = true;
        deliver(true, pkt);
      }
      while (b.poll_transmit(pkt)) {
        moved = true;
        deliver(false, pkt);
      }
      collect();
      if (!moved) return;
    }
  }

  void step(base::Duration d = base::Duration::millis(10)) {
    now += d;
    a.handle_timeout(now);
    b.handle_timeout(now);
    exchange();
  }

  // Steps the clock until pred() holds or `limit` of fake time passed.
  template <class Pred>
  bool run_until(Pred pred, base::Duration limit = base::Duration::seconds(30)) {
    exchange();
    base::Timestamp end = now + limit;
    while (!pred()) {
      if (now >= end) return false;
      step();
    }
    return true;
  }

  bool connect() {
    start();
    return run_until([&] { return a.state() == SctpAssociation::State::kConnected &&
                                  b.state() == SctpAssociation::State::kConnected; });
  }

  template <class T>
  static std::vector<T> of(const std::vector<Event>& events) {
    std::vector<T> out;
    for (const Event& e : events) {
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }

 private:
  void deliver(bool from_a, const std::vector<uint8_t>& pkt) {
    if (pkt.size() > largest_packet) largest_packet = pkt.size();
    if (drop && drop(from_a, pkt)) {
      ++dropped;
      return;
    }
    ++delivered;
    (from_a ? b : a).handle_packet(now, pkt);
  }
  void collect() {
    while (auto e = a.poll_event()) events_a.push_back(std::move(*e));
    while (auto e = b.poll_event()) events_b.push_back(std::move(*e));
  }
};

}  // namespace medley::ice::test

// Test harness for DtlsTransport: two transports back to back on a fake clock, with a hook to drop, alter,
// reorder or inject datagrams.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ice/certificate.hpp"
#include "ice/dtls_context.hpp"
#include "ice/dtls_transport.hpp"

namespace medley::ice::test {

// Certificates are made once per process (key generation is not what these tests are about).
inline const Certificate& cert_a() {
  static const Certificate c = *Certificate::generate({.common_name = "a", .unix_time = 1'700'000'000});
  return c;
}
inline const Certificate& cert_b() {
  static const Certificate c = *Certificate::generate({.common_name = "b", .unix_time = 1'700'000'000});
  return c;
}
inline std::shared_ptr<const DtlsContext> context_a() {
  static const auto c = *DtlsContext::create(cert_a());
  return c;
}
inline std::shared_ptr<const DtlsContext> context_b() {
  static const auto c = *DtlsContext::create(cert_b());
  return c;
}

struct Endpoint {
  explicit Endpoint(std::shared_ptr<const DtlsContext> ctx, const DtlsTransportConfig& cfg) : t(std::move(ctx), cfg) {}
  DtlsTransport t;
  DtlsOutbox out;
  std::vector<DtlsEvent> events;
  std::vector<std::vector<uint8_t>> sent;  // every datagram it ever sent, in order

  template <class E>
  std::vector<E> all() const {
    std::vector<E> r;
    for (const auto& e : events)
      if (const E* p = std::get_if<E>(&e)) r.push_back(*p);
    return r;
  }
  template <class E>
  size_t count() const {
    return all<E>().size();
  }
  const DtlsConnected* connected() const {
    for (const auto& e : events)
      if (const auto* p = std::get_if<DtlsConnected>(&e)) return p;
    return nullptr;
  }
};

struct InFlight {
  int to;  // 0: a, 1: b
  std::vector<uint8_t> bytes;
};

// a and b exchange datagrams through a queue. `filter(from, batch, bytes)` returns false to drop a datagram (it
// may also modify it); `batch` counts the calls that made `from` send anything, from 1, so batch 1 of the
// client is its ClientHello and batch 2 of the server its last flight (retransmissions come in later batches).
// Time only moves when nothing is in flight: to the earliest timeout.
class Link {
 public:
  Link(DtlsTransportConfig ca, DtlsTransportConfig cb, std::shared_ptr<const DtlsContext> xa = context_a(),
       std::shared_ptr<const DtlsContext> xb = context_b()) {
    if (!ca.remote_fingerprint) ca.remote_fingerprint = xb->certificate().fingerprint_sha256();
    if (!cb.remote_fingerprint) cb.remote_fingerprint = xa->certificate().fingerprint_sha256();
    ep_[0] = std::make_unique<Endpoint>(std::move(xa), ca);
    ep_[1] = std::make_unique<Endpoint>(std::move(xb), cb);
  }
  // The common case: a is the client, b the server, each expecting the other's real fingerprint.
  static Link client_server(size_t mtu = 1200) {
    DtlsTransportConfig c{.role = DtlsRole::Client, .mtu = mtu};
    DtlsTransportConfig s{.role = DtlsRole::Server, .mtu = mtu};
    return Link(c, s);
  }

  Endpoint& a() { return *ep_[0]; }
  Endpoint& b() { return *ep_[1]; }
  Endpoint& ep(int i) { return *ep_[i]; }
  base::Timestamp now() const { return now_; }

  std::function<bool(int from, size_t batch, std::vector<uint8_t>& bytes)> filter;

  void start() {
    for (int i = 0; i < 2; ++i) {
      ep(i).t.start(now_, ep(i).out);
      collect(i);
    }
  }

  void collect(int i) {
    Endpoint& e = ep(i);
    if (!e.out.datagrams.empty()) ++batches_[i];
    for (auto& d : e.out.datagrams) {
      e.sent.push_back(d);
      std::vector<uint8_t> bytes = std::move(d);
      if (filter && !filter(i, batches_[i], bytes)) continue;
      queue_.push_back({1 - i, std::move(bytes)});
    }
    for (auto& ev : e.out.events) e.events.push_back(std::move(ev));
    e.out.clear();
  }

  void deliver(int to, const std::vector<uint8_t>& bytes) {
    ep(to).t.handle_datagram(now_, bytes, ep(to).out);
    collect(to);
  }

  // Runs until nothing is in flight and no timer is due before `until`.
  void run(base::Duration max_time = base::Duration::seconds(60)) {
    const base::Timestamp end = now_ + max_time;
    for (int steps = 0; steps < 100000; ++steps) {
      if (!queue_.empty()) {
        InFlight f = std::move(queue_.front());
        queue_.pop_front();
        deliver(f.to, f.bytes);
        continue;
      }
      base::Timestamp next = base::earliest(a().t.next_timeout(), b().t.next_timeout());
      if (next.is_infinite() || next > end) return;
      now_ = std::max(now_, next);
      for (int i = 0; i < 2; ++i) {
        ep(i).t.handle_timeout(now_, ep(i).out);
        collect(i);
      }
    }
    ADD_FAILURE() << "link did not settle";
  }

  std::deque<InFlight>& queue() { return queue_; }
  void advance(base::Duration d) { now_ += d; }

 private:
  std::unique_ptr<Endpoint> ep_[2];
  std::deque<InFlight> queue_;
  size_t batches_[2] = {0, 0};
  base::Timestamp now_ = base::Timestamp::millis(1000);
};

inline bool is_dtls_record(const std::vector<uint8_t>& d) { return !d.empty() && d[0] >= 20 && d[0] <= 63; }

// Handshake message type of the first record when it is a plaintext (epoch 0) handshake record.
inline int first_handshake_type(const std::vector<uint8_t>& d) {
  if (d.size() < 14 || d[0] != 22) return -1;
  if (d[3] != 0 || d[4] != 0) return -1;  // epoch 0 only
  return d[13];
}

}  // namespace medley::ice::test

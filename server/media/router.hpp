// Router: one published stream's fan-out to its sinks, run synchronously on the pipeline's strand (DESIGN.md
// rules 2 and 3), with sink groups for large fan-outs and a throttled keyframe request path back to the source.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <span>
#include <vector>

#include "rtp/base/frame.hpp"
#include "rtp/base/time.hpp"
#include "server/media/rtp_source.hpp"

namespace medley::server::media {

class Router;

// Anything a source can feed: a passthrough RtpSink, later a transcoder or a recorder.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // On the strand serving this sink's group; one source's packets arrive in publish order. Must not block.
  virtual void on_packet(const PublishedPacket& packet, base::Timestamp now) = 0;

  // What this sink's receiver can take, bits per second (0: unknown); the source's publisher is told the lowest.
  virtual uint64_t bitrate_estimate() const { return 0; }

  // The router this sink is connected to (where its receiver's keyframe requests go), or null.
  Router* upstream() const { return upstream_.load(std::memory_order_acquire); }

  // Asks the cache for this sink's state ahead of its turn: in a large fan-out every sink is cold by the time
  // the next packet comes round, and the miss on it was a measurable share of the per-sink cost (bench_router).
  void prefetch() const {
    const char* p = reinterpret_cast<const char*>(this);
    for (size_t at = 0; at < prefetch_bytes_; at += 64) __builtin_prefetch(p + at);
  }

 protected:
  // How much of the derived object the fan-out prefetches (its hot state should come first).
  void set_prefetch_bytes(size_t n) { prefetch_bytes_ = n; }

 private:
  friend class Router;
  std::atomic<Router*> upstream_{nullptr};
  size_t prefetch_bytes_ = 64;
};

// An immutable set of sinks served together: inline on the publishing strand (group 0, or all groups when no
// dispatch is set), or by one batched post to another strand. `slot` is stable for the group's life (rebuilt
// groups keep it), so a dispatcher mapping slot -> strand keeps each sink on one strand. A sink belongs to that
// strand: its leg's RTCP (NACK, PLI, reports) must be handed to it there too.
struct SinkGroup {
  uint32_t slot = 0;
  std::vector<std::shared_ptr<PacketSink>> sinks;

  void deliver(const PublishedPacket& packet, base::Timestamp now) const {
    const size_t n = sinks.size();
    if (n > 1) sinks[0]->prefetch();
    for (size_t i = 0; i < n; ++i) {
      if (i + 1 < n) sinks[i + 1]->prefetch();
      sinks[i]->on_packet(packet, now);
    }
  }
  void deliver(std::span<const PublishedPacket> batch, base::Timestamp now) const {
    for (const PublishedPacket& p : batch) deliver(p, now);
  }
};

struct RouterConfig {
  size_t group_size = 64;  // sinks per group; beyond it a new group starts
  size_t max_batch = 32;   // pending packets per dispatched group before publish() flushes by itself
  base::Duration keyframe_interval = base::Duration::millis(300);  // at most one request upstream per interval
};

class Router {
 public:
  // Hands `batch` to `group` on the group's strand. The span lives only for the call: an asynchronous
  // dispatcher copies it (PublishedPacket copies are refcount increments) and keeps `group` alive with it.
  using GroupDispatch =
      std::function<void(const std::shared_ptr<const SinkGroup>& group, std::span<const PublishedPacket> batch,
                         base::Timestamp now)>;
  // Sends PLI/FIR to the publisher. Called from whichever thread asked (a dispatched sink's strand included).
  using KeyframeRequester = std::function<void(base::Timestamp now)>;

  struct Stats {
    uint64_t published = 0;
    uint64_t delivered_inline = 0;   // packet x sink deliveries on the publishing strand
    uint64_t batches_dispatched = 0;
    uint64_t keyframe_requests_sent = 0;
    uint64_t keyframe_requests_deferred = 0;  // asked within the interval: merged into the next one
  };

  explicit Router(RtpSourceInfo info, RouterConfig config = {});
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  ~Router();

  const RtpSourceInfo& info() const { return info_; }
  // The publisher's negotiated extensions and codecs: set on the strand before its first packet (packets and
  // sinks read it without a lock). A renegotiation that changes them needs a new Router.
  RtpSourceInfo& mutable_info() { return info_; }

  // Membership, from any thread: copy-on-write with an atomic swap, so a fan-out in progress keeps its snapshot
  // and never waits. A video sink joining makes the next publish() ask the source for a keyframe. A sink has one
  // source at a time: the caller removes it from its previous router first (Kurento's connect replaces it).
  void add_sink(std::shared_ptr<PacketSink> sink);
  bool remove_sink(const PacketSink* sink);
  size_t sink_count() const;
  // The lowest non-zero bitrate_estimate() of the sinks (0: none known). Any thread; walks the membership.
  uint64_t min_sink_estimate() const;
  size_t group_count() const;

  // Set before packets flow (on the strand). Without a dispatch every group is served inline.
  void set_group_dispatch(GroupDispatch dispatch) { dispatch_ = std::move(dispatch); }
  void set_keyframe_requester(KeyframeRequester requester) { keyframe_requester_ = std::move(requester); }

  // On the source's strand: delivers to the inline group now and queues for dispatched groups.
  void publish(const PublishedPacket& packet, base::Timestamp now);
  // Posts the queued batch to every dispatched group (call at the end of a receive batch).
  void flush(base::Timestamp now);

  // A sink's receiver lost the picture (PLI/FIR). Thread-safe. Forwards at once when the last request is older
  // than the interval; otherwise remembers it and sends it when the interval ends (publish/handle_timeout),
  // so a late joiner still gets its keyframe and the publisher sees at most one request per interval.
  // Returns true when it was sent now.
  bool request_keyframe(base::Timestamp now);
  void handle_timeout(base::Timestamp now);
  base::Timestamp next_timeout() const;

  Stats stats() const;

  // The transcoding branch producing `target` from this source (server/media/transcoder.hpp): created by `make`
  // on first use, kept here (the branch's sink lives in this router's membership) and shared afterwards.
  std::shared_ptr<Router> branch(base::CodecId target, const std::function<std::shared_ptr<Router>()>& make);

 private:
  struct Members {
    std::vector<std::shared_ptr<const SinkGroup>> groups;
    size_t sink_count = 0;
  };
  using Snapshot = std::shared_ptr<const Members>;

  bool try_send_keyframe_request(base::Timestamp now);

  RtpSourceInfo info_;
  RouterConfig config_;
  std::atomic<Snapshot> members_;
  std::atomic<uint32_t> next_slot_{0};
  std::atomic<bool> keyframe_wanted_{false};    // set by add_sink, consumed on the strand
  std::atomic<bool> keyframe_pending_{false};   // a deferred request
  std::atomic<int64_t> last_keyframe_request_us_;
  GroupDispatch dispatch_;
  KeyframeRequester keyframe_requester_;
  std::vector<PublishedPacket> pending_;  // for dispatched groups; capacity reserved once
  Snapshot pending_members_;              // the membership the pending packets were published under
  uint64_t published_ = 0;
  uint64_t delivered_inline_ = 0;
  uint64_t batches_dispatched_ = 0;
  std::atomic<uint64_t> keyframe_sent_{0};
  std::mutex branches_mu_;
  std::vector<std::pair<base::CodecId, std::shared_ptr<Router>>> branches_;
  std::atomic<uint64_t> keyframe_deferred_{0};
};

// A GroupDispatch that posts each group's batch elsewhere: post(slot, task) must run task() later on the strand
// chosen for slot (the server: asio::post(strands[slot % strands.size()], std::move(task))). The batch is copied
// into the task (one allocation per group per flush, amortised over the batch), with the group, so both outlive
// membership changes made meanwhile.
template <class Post>
Router::GroupDispatch make_posting_dispatch(Post post) {
  return [post = std::move(post)](const std::shared_ptr<const SinkGroup>& group,
                                  std::span<const PublishedPacket> batch, base::Timestamp now) mutable {
    post(group->slot, [group, packets = std::vector<PublishedPacket>(batch.begin(), batch.end()), now] {
      group->deliver(packets, now);
    });
  };
}

}  // namespace medley::server::media

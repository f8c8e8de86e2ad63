// Router: copy-on-write membership, inline and batched fan-out, keyframe request throttling.
#include "server/media/router.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace medley::server::media {

namespace {
constexpr int64_t kNever = std::numeric_limits<int64_t>::min() / 2;  // "long ago": the first request goes at once
}

Router::Router(RtpSourceInfo info, RouterConfig config)
    : info_(std::move(info)), config_(config), last_keyframe_request_us_(kNever) {
  if (config_.group_size == 0) config_.group_size = 1;
  if (config_.max_batch == 0) config_.max_batch = 1;
  members_.store(std::make_shared<const Members>());
  // pending_ gets its capacity at the first dispatched packet: most routers (a viewer's own output) never have one.
}

Router::~Router() {
  Snapshot m = members_.load();
  for (const auto& g : m->groups)
    for (const auto& s : g->sinks) {
      Router* self = this;
      s->upstream_.compare_exchange_strong(self, nullptr);
    }
}

void Router::add_sink(std::shared_ptr<PacketSink> sink) {
  assert(sink);
  sink->upstream_.store(this, std::memory_order_release);
  Snapshot old = members_.load();
  for (;;) {
    auto next = std::make_shared<Members>(*old);
    // The first group with room: the inline group 0 takes the first group_size sinks, and places freed by
    // departures are refilled before a new group (a new strand) is opened.
    auto room = std::find_if(next->groups.begin(), next->groups.end(),
                             [&](const auto& g) { return g->sinks.size() < config_.group_size; });
    if (room == next->groups.end()) {
      auto g = std::make_shared<SinkGroup>();
      g->slot = next_slot_.fetch_add(1, std::memory_order_relaxed);
      g->sinks.reserve(config_.group_size);
      g->sinks.push_back(sink);
      next->groups.push_back(std::move(g));
    } else {
      auto g = std::make_shared<SinkGroup>(**room);
      g->sinks.push_back(sink);
      *room = std::move(g);
    }
    ++next->sink_count;
    if (members_.compare_exchange_weak(old, Snapshot(std::move(next)))) break;
  }
  if (info_.kind == MediaKind::Video) keyframe_wanted_.store(true, std::memory_order_release);
}

bool Router::remove_sink(const PacketSink* sink) {
  Snapshot old = members_.load();
  std::shared_ptr<PacketSink> removed;
  for (;;) {
    auto next = std::make_shared<Members>(*old);
    bool found = false;
    for (size_t gi = 0; gi < next->groups.size() && !found; ++gi) {
      const auto& sinks = next->groups[gi]->sinks;
      auto it = std::find_if(sinks.begin(), sinks.end(), [&](const auto& s) { return s.get() == sink; });
      if (it == sinks.end()) continue;
      found = true;
      removed = *it;
      // Group 0 stays even when empty: it is the inline one, and a group's place never passes to another
      // (its sinks would change strands while a batch may still be running on the old one).
      if (sinks.size() == 1 && gi != 0) {
        next->groups.erase(next->groups.begin() + static_cast<std::ptrdiff_t>(gi));
      } else {
        auto g = std::make_shared<SinkGroup>(*next->groups[gi]);  // keeps its slot, hence its strand
        g->sinks.erase(g->sinks.begin() + (it - sinks.begin()));
        next->groups[gi] = std::move(g);
      }
    }
    if (!found) return false;
    --next->sink_count;
    if (members_.compare_exchange_weak(old, Snapshot(std::move(next)))) break;
  }
  Router* self = this;
  removed->upstream_.compare_exchange_strong(self, nullptr, std::memory_order_acq_rel);
  return true;
}

std::shared_ptr<Router> Router::branch(base::CodecId target, const std::function<std::shared_ptr<Router>()>& make) {
  std::lock_guard lock(branches_mu_);
  for (const auto& [codec, router] : branches_) {
    if (codec == target) return router;
  }
  auto made = make();
  if (made) branches_.emplace_back(target, made);
  return made;
}

uint64_t Router::min_sink_estimate() const {
  const Snapshot m = members_.load(std::memory_order_acquire);
  uint64_t lowest = 0;
  if (!m) return 0;
  for (const auto& g : m->groups) {
    for (const auto& s : g->sinks) {
      const uint64_t e = s->bitrate_estimate();
      if (e != 0 && (lowest == 0 || e < lowest)) lowest = e;
    }
  }
  return lowest;
}

size_t Router::sink_count() const { return members_.load()->sink_count; }
size_t Router::group_count() const { return members_.load()->groups.size(); }

void Router::publish(const PublishedPacket& packet, base::Timestamp now) {
  ++published_;
  if (keyframe_wanted_.load(std::memory_order_relaxed) && keyframe_wanted_.exchange(false)) {
    request_keyframe(now);
  } else if (keyframe_pending_.load(std::memory_order_relaxed)) {
    handle_timeout(now);
  }
  Snapshot m = members_.load(std::memory_order_acquire);
  const auto& groups = m->groups;
  if (groups.empty()) return;
  if (!dispatch_) {
    for (const auto& g : groups) {
      g->deliver(packet, now);
      delivered_inline_ += g->sinks.size();
    }
    return;
  }
  groups[0]->deliver(packet, now);
  delivered_inline_ += groups[0]->sinks.size();
  if (groups.size() == 1) return;
  if (pending_.empty()) pending_members_ = std::move(m);
  if (pending_.capacity() == 0) pending_.reserve(config_.max_batch);
  pending_.push_back(packet);
  if (pending_.size() >= config_.max_batch) flush(now);
}

void Router::flush(base::Timestamp now) {
  if (pending_.empty()) return;
  if (dispatch_ && pending_members_) {
    const auto& groups = pending_members_->groups;
    for (size_t i = 1; i < groups.size(); ++i) {
      dispatch_(groups[i], pending_, now);
      ++batches_dispatched_;
    }
  }
  pending_.clear();  // keeps its capacity
  pending_members_.reset();
}

bool Router::try_send_keyframe_request(base::Timestamp now) {
  int64_t last = last_keyframe_request_us_.load(std::memory_order_acquire);
  for (;;) {
    if (now.us() < last + config_.keyframe_interval.us()) return false;
    if (last_keyframe_request_us_.compare_exchange_weak(last, now.us(), std::memory_order_acq_rel)) break;
  }
  keyframe_pending_.store(false, std::memory_order_release);
  keyframe_sent_.fetch_add(1, std::memory_order_relaxed);
  if (keyframe_requester_) keyframe_requester_(now);
  return true;
}

bool Router::request_keyframe(base::Timestamp now) {
  if (try_send_keyframe_request(now)) return true;
  keyframe_deferred_.fetch_add(1, std::memory_order_relaxed);
  keyframe_pending_.store(true, std::memory_order_release);
  return false;
}

void Router::handle_timeout(base::Timestamp now) {
  if (keyframe_pending_.load(std::memory_order_acquire)) try_send_keyframe_request(now);
}

base::Timestamp Router::next_timeout() const {
  if (!keyframe_pending_.load(std::memory_order_acquire)) return base::Timestamp::infinite();
  return base::Timestamp::micros(last_keyframe_request_us_.load(std::memory_order_acquire) +
                                 config_.keyframe_interval.us());
}

Router::Stats Router::stats() const {
  Stats s;
  s.published = published_;
  s.delivered_inline = delivered_inline_;
  s.batches_dispatched = batches_dispatched_;
  s.keyframe_requests_sent = keyframe_sent_.load(std::memory_order_relaxed);
  s.keyframe_requests_deferred = keyframe_deferred_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace medley::server::media

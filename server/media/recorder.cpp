// Recorder: sinks → jitter buffers → WebM/Matroska or fragmented MP4 writer → file.
#include "server/media/recorder.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include "rtp/payload/payload.hpp"
#include "server/log.hpp"
#include "server/media/clock.hpp"
#include "server/media/transcoder.hpp"

#include <random>

namespace medley::server::media {
namespace {

using Json = nlohmann::json;

const char* kind_name(Recorder::Kind k) { return k == Recorder::Kind::Audio ? "AUDIO" : "VIDEO"; }

constexpr size_t kMaxPending = 600;  // frames held while the tracks are decided (1.5 s of 30 fps video + audio)

}  // namespace

std::optional<RecorderProfile> recorder_profile(std::string_view name) {
  if (name == "WEBM") return RecorderProfile{Container::Webm, true, true};
  if (name == "WEBM_VIDEO_ONLY") return RecorderProfile{Container::Webm, false, true};
  if (name == "WEBM_AUDIO_ONLY") return RecorderProfile{Container::Webm, true, false};
  if (name == "MKV") return RecorderProfile{Container::Matroska, true, true};
  if (name == "MKV_VIDEO_ONLY") return RecorderProfile{Container::Matroska, false, true};
  if (name == "MKV_AUDIO_ONLY") return RecorderProfile{Container::Matroska, true, false};
  if (name == "MP4") return RecorderProfile{Container::Mp4, true, true};
  if (name == "MP4_VIDEO_ONLY") return RecorderProfile{Container::Mp4, false, true};
  if (name == "MP4_AUDIO_ONLY") return RecorderProfile{Container::Mp4, true, false};
  return std::nullopt;
}

// The router-facing side: forwards to the recorder while it lives.
class Recorder::Sink : public PacketSink {
 public:
  Sink(std::weak_ptr<Recorder> r, Kind k) : recorder_(std::move(r)), kind_(k) {}
  void on_packet(const PublishedPacket& packet, base::Timestamp now) override {
    if (auto r = recorder_.lock()) r->on_packet(kind_, packet, now);
  }

 private:
  std::weak_ptr<Recorder> recorder_;
  Kind kind_;
};

struct Recorder::Track {
  Kind kind = Kind::Video;
  base::CodecId codec = base::CodecId::Unknown;
  uint32_t clock_rate = 90000;
  rtp::Ssrc ssrc{0};
  const RtpSourceInfo* source = nullptr;
  std::unique_ptr<rtp::JitterBuffer> jitter;
  rtp::SeqUnwrapper seq;
  base::EncodedFrame frame;
  // RTP time → file time: this track's first frame arrived at first_arrival with timestamp first_rtp.
  bool timed = false;
  base::Timestamp first_arrival;
  int64_t first_rtp = 0;
  int64_t last_rtp = 0;
  uint32_t last_rtp_raw = 0;
  base::Duration last_time = base::Duration::zero();  // of the last frame written: a new source continues after it
  base::Timestamp last_keyframe_request;
};

Recorder::Recorder(Strand strand, RecorderConfig config, SessionEventFn events)
    : strand_(std::move(strand)), config_(std::move(config)), events_(std::move(events)), timer_(strand_) {}

Recorder::~Recorder() {
  std::unique_ptr<Output> out;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::Recording || state_ == State::Paused) out = end_locked();
  }
  finish(std::move(out));
}

void Recorder::set_input(Kind kind, std::shared_ptr<Router> source) {
  boost::asio::post(strand_, [self = shared_from_this(), kind, source = std::move(source)]() mutable {
    self->rewire(kind, std::move(source));
  });
}

// Strand. A source whose codec the container cannot store is recorded through its transcoding branch: WebM takes
// VP8/VP9 and Opus, Matroska H.264 too, MP4 H.264/VP9 and Opus. When the source's codecs are not known yet
// (connected before its negotiation), the timer decides again once they are.
void Recorder::rewire(Kind kind, std::shared_ptr<Router> source) {
  const size_t k = static_cast<size_t>(kind);
  if (!sinks_[k]) sinks_[k] = std::make_shared<Sink>(weak_from_this(), kind);
  if (inputs_[k]) inputs_[k]->remove_sink(sinks_[k].get());
  connected_[k] = source;
  decided_blind_[k] = false;
  if (source) {
    // The publisher sends the first codec of the negotiated list (the answer's preference order).
    const auto& codecs = source->info().codecs;
    decided_blind_[k] = codecs.empty();
    if (!codecs.empty()) {
      const base::CodecId sent = codecs.front().second;
      const Container c = config_.profile.container;
      bool storable = false;
      base::CodecId target = base::CodecId::Opus;
      if (kind == Kind::Audio) {
        storable = sent == base::CodecId::Opus;
      } else if (c == Container::Mp4) {
        storable = sent == base::CodecId::H264 || sent == base::CodecId::Vp9;
        target = base::CodecId::H264;
      } else {
        storable = sent == base::CodecId::Vp8 || sent == base::CodecId::Vp9 ||
                   (c == Container::Matroska && sent == base::CodecId::H264);
        target = base::CodecId::Vp8;
      }
      if (!storable) {
        log::get("recorder")->info("{}: recording {} as {} (transcoding)", config_.path, base::codec_name(sent),
                                   base::codec_name(target));
        source = transcoded_branch(*source, target, std::random_device{}());
      }
    }
  }
  inputs_[k] = std::move(source);
  if (inputs_[k]) inputs_[k]->add_sink(sinks_[k]);
}

std::optional<std::string> Recorder::record() {
  std::string error;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::Recording) return std::nullopt;
    if (state_ == State::Stopped) {
      error = "the recording was stopped; create a new RecorderEndpoint to record again";
    } else if (state_ == State::Paused) {
      state_ = State::Recording;
      if (paused_at_) paused_total_ = paused_total_ + (steady_now() - *paused_at_);
      paused_at_.reset();
      // The gap restarts each stream at a keyframe: what was buffered before the pause is stale.
      for (auto& t : tracks_) {
        if (t && t->jitter) t->jitter->reset();
      }
    } else {
      auto f = mux::FileSink::open(config_.path, mux::FileSinkOptions{});
      if (!f) {
        error = "cannot open " + config_.path + " for writing: " + std::strerror(f.error());
      } else {
        out_ = std::make_unique<Output>(std::move(*f));
        if (config_.profile.container == Container::Mp4) {
          // The MP4 tracks are fixed when the first frames show which codecs arrive (decide_tracks).
        } else {
          mux::WebmWriterConfig wc;
          wc.doc_type = config_.profile.container == Container::Webm ? mux::WebmDocType::Webm : mux::WebmDocType::Matroska;
          out_->webm.emplace(out_->file, wc);
        }
        state_ = State::Recording;
        last_flush_ = steady_now();
      }
    }
  }
  if (!error.empty()) {
    log::get("recorder")->warn("RecorderEndpoint: {}", error);
    emit("Error", {{"description", error}, {"errorCode", 40400}, {"type", "URI_ERROR"}});
    return error;
  }
  log::get("recorder")->info("Recording to {}", config_.path);
  emit("UriEndpointStateChanged", {{"state", "START"}});
  emit("Recording", Json::object());
  auto self = shared_from_this();
  boost::asio::post(strand_, [self] {
    self->request_keyframe(Kind::Video, steady_now());
    self->arm_timer();
  });
  return std::nullopt;
}

void Recorder::pause() {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::Recording) return;
    state_ = State::Paused;
    paused_at_ = steady_now();
  }
  emit("UriEndpointStateChanged", {{"state", "PAUSE"}});
  emit("Paused", Json::object());
}

void Recorder::stop() {
  std::unique_ptr<Output> out;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::Stopped || state_ == State::Idle) {
      state_ = State::Stopped;
      return;
    }
    out = end_locked();
  }
  finish(std::move(out));  // Cues, sizes, fsync: on the caller's thread, the strand keeps running meanwhile
  log::get("recorder")->info("Recording to {} stopped: {} frames written, {} dropped", config_.path,
                             stats().frames_written, stats().frames_dropped);
  emit("UriEndpointStateChanged", {{"state", "STOP"}});
  emit("Stopped", Json::object());
  boost::asio::post(strand_, [self = shared_from_this()] {
    for (size_t k = 0; k < 2; ++k) {
      if (self->inputs_[k]) self->inputs_[k]->remove_sink(self->sinks_[k].get());
      self->inputs_[k].reset();
      self->connected_[k].reset();
      self->decided_blind_[k] = false;
    }
    self->timer_.cancel();
  });
}

Recorder::State Recorder::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

bool Recorder::flowing_in(Kind kind) const {
  std::lock_guard lock(mu_);
  return flowing_[static_cast<size_t>(kind)];
}

Recorder::Stats Recorder::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

// mu_ held.
std::unique_ptr<Recorder::Output> Recorder::end_locked() {
  const base::Timestamp far = steady_now() + base::Duration::seconds(3600);
  state_ = State::Stopped;  // first: no keyframe requests from the drain below
  for (auto& t : tracks_) {
    if (t && t->jitter) drain(*t, far);
  }
  decide_tracks(far, /*force=*/true);
  return std::move(out_);
}

void Recorder::finish(std::unique_ptr<Output> out) {
  if (!out) return;
  if (out->webm) out->webm->finish();
  if (out->mp4) out->mp4->finish();
  out->file.close();
}

void Recorder::on_packet(Kind kind, const PublishedPacket& p, base::Timestamp now) {
  bool became_flowing = false;
  {
    std::lock_guard lock(mu_);
    const size_t k = static_cast<size_t>(kind);
    last_packet_[k] = now;
    if (!flowing_[k]) {
      flowing_[k] = true;
      became_flowing = true;
    }
    if (state_ != State::Recording) goto out;
    {
      const bool wanted = kind == Kind::Audio ? config_.profile.audio : config_.profile.video;
      if (!wanted) goto out;
      ++stats_.packets;
      const base::CodecId codec = p.source->codec_of(p.view.payload_type());
      if (codec == base::CodecId::Unknown) goto out;
      auto& t = tracks_[k];
      if (!t) {
        t = std::make_unique<Track>();
        t->kind = kind;
      }
      if (!t->jitter || t->ssrc != p.view.ssrc() || t->source != p.source || t->codec != codec) {
        if (t->codec != base::CodecId::Unknown && t->codec != codec && tracks_decided_) {
          // A file track keeps its codec: a source switching codec mid-recording is not recorded.
          ++stats_.frames_dropped;
          goto out;
        }
        t->codec = codec;
        t->ssrc = p.view.ssrc();
        t->source = p.source;
        // The codec's own clock (the router's is its first negotiated codec's).
        t->clock_rate = codec == base::CodecId::Opus ? 48000
                        : (codec == base::CodecId::Pcmu || codec == base::CodecId::Pcma) ? 8000
                                                                                         : 90000;
        // A new sender has its own timestamp base: the track re-anchors at the next frame's arrival.
        t->timed = false;
        t->seq.reset();
        t->jitter = std::make_unique<rtp::JitterBuffer>(
            rtp::make_depacketizer(codec),
            kind == Kind::Audio ? rtp::JitterBuffer::Config::audio(codec) : rtp::JitterBuffer::Config::video(codec));
      }
      const base::Bytes payload = p.view.payload();
      rtp::JitterPacket jp;
      jp.seq = t->seq.unwrap(p.view.sequence_number());
      jp.rtp_timestamp = p.view.timestamp();
      jp.marker = p.view.marker();
      jp.buffer = p.buffer;
      jp.offset = static_cast<uint32_t>(payload.data() - p.buffer->data());
      jp.size = static_cast<uint32_t>(payload.size());
      jp.arrival = p.arrival;
      t->jitter->insert(std::move(jp), now);
      drain(*t, now);
      decide_tracks(now, false);
    }
  out:;
  }
  if (became_flowing) {
    emit("MediaFlowInStateChanged", {{"state", "FLOWING"}, {"padName", "default"}, {"mediaType", kind_name(kind)}});
  }
}

// mu_ held.
void Recorder::drain(Track& t, base::Timestamp now) {
  while (t.jitter->poll(now, t.frame)) on_frame(t, t.frame);
  while (auto e = t.jitter->poll_event()) {
    if (std::holds_alternative<rtp::KeyframeNeeded>(*e) && t.kind == Kind::Video) {
      if (state_ == State::Recording && now - t.last_keyframe_request >= base::Duration::millis(500)) {
        t.last_keyframe_request = now;
        // On the strand (the jitter buffer asked while a packet was being handled there). Weak: this may run
        // while the recorder is being destroyed.
        if (auto self = weak_from_this().lock()) {
          boost::asio::post(strand_, [self, now] { self->request_keyframe(Kind::Video, now); });
        }
      }
    } else if (std::holds_alternative<rtp::FramesLost>(*e)) {
      ++stats_.frames_dropped;
    }
  }
}

// mu_ held. File time from the RTP clock, anchored at the track's first frame's arrival (A/V aligned by arrival).
void Recorder::on_frame(Track& t, base::EncodedFrame& frame) {
  if (!t.timed) {
    t.timed = true;
    // Never before what this track already wrote (a switch of source mid-recording continues the timeline).
    if (origin_ && frame.arrival - *origin_ - paused_total_ < t.last_time) {
      t.first_arrival = *origin_ + t.last_time + paused_total_;
    } else {
      t.first_arrival = frame.arrival;
    }
    t.first_rtp = t.last_rtp = frame.rtp_timestamp;
    t.last_rtp_raw = frame.rtp_timestamp;
    if (!origin_) origin_ = frame.arrival;
  }
  t.last_rtp += static_cast<int32_t>(frame.rtp_timestamp - t.last_rtp_raw);
  t.last_rtp_raw = frame.rtp_timestamp;
  const int64_t ticks = t.last_rtp - t.first_rtp;
  const base::Duration since_first = base::Duration::micros(ticks * 1'000'000 / std::max<uint32_t>(1, t.clock_rate));
  base::Duration time = (t.first_arrival - *origin_) + since_first - paused_total_;
  if (time < base::Duration::zero()) time = base::Duration::zero();
  t.last_time = std::max(t.last_time, time);
  if (!tracks_decided_) {
    if (pending_.size() >= kMaxPending) {
      ++stats_.frames_dropped;
      return;
    }
    if (!first_pending_) first_pending_ = frame.arrival;
    pending_.push_back({t.kind, time, frame});
    return;
  }
  write(t.kind, time, frame);
}

// mu_ held. The file's tracks: every expected kind that has produced a frame, once all have or the wait is over.
void Recorder::decide_tracks(base::Timestamp now, bool force) {
  if (tracks_decided_ || !out_) return;
  std::array<bool, 2> seen{};
  for (const auto& p : pending_) seen[static_cast<size_t>(p.kind)] = true;
  const bool all = (!config_.profile.audio || seen[0]) && (!config_.profile.video || seen[1]);
  const bool waited = first_pending_ && now - *first_pending_ >= config_.track_wait;
  if (!all && !waited && !force) return;
  if (!seen[0] && !seen[1]) {
    if (!force) return;
  }
  tracks_decided_ = true;
  for (size_t k = 0; k < 2; ++k) {
    const bool wanted = k == 0 ? config_.profile.audio : config_.profile.video;
    if (wanted && !seen[k]) {
      log::get("recorder")->info("{}: no {} arrived within {} ms; recording without it", config_.path,
                                 kind_name(static_cast<Kind>(k)), config_.track_wait.ms());
    }
  }
  const base::CodecId audio = seen[0] && tracks_[0] ? tracks_[0]->codec : base::CodecId::Unknown;
  const base::CodecId video = seen[1] && tracks_[1] ? tracks_[1]->codec : base::CodecId::Unknown;
  if (out_->webm) {
    for (size_t k = 0; k < 2; ++k) {
      const base::CodecId c = k == 0 ? audio : video;
      if (c == base::CodecId::Unknown) continue;
      mux::WebmTrackConfig tc;
      tc.codec = c;
      mux::WebmTrackError err{};
      webm_track_[k] = out_->webm->add_track(tc, &err);
      if (!webm_track_[k]) {
        log::get("recorder")->warn("{}: {} codec {} cannot be stored in this profile", config_.path,
                                   kind_name(static_cast<Kind>(k)), base::codec_name(c));
      }
    }
  } else {
    mux::Mp4WriterConfig mc;
    mc.audio = audio == base::CodecId::Opus ? audio : base::CodecId::Unknown;
    mc.video = mux::Mp4Writer::supports(video) && video != base::CodecId::Opus ? video : base::CodecId::Unknown;
    if (video != base::CodecId::Unknown && mc.video == base::CodecId::Unknown) {
      // MP4 stores H.264 (and VP9); a VP8 source needs the transcoder (codec issue), not wired here yet.
      log::get("recorder")->warn("{}: {} video cannot be stored in MP4 without transcoding; recording audio only",
                                 config_.path, base::codec_name(video));
      emit("Error", {{"description", std::string(base::codec_name(video)) + " video needs transcoding to H.264 for MP4"},
                     {"errorCode", 40003},
                     {"type", "UNSUPPORTED_CODEC"}});
    }
    out_->mp4.emplace(mc, out_->file);
  }
  std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) { return a.time < b.time; });
  for (const auto& p : pending_) write(p.kind, p.time, p.frame);
  pending_.clear();
}

// mu_ held.
void Recorder::write(Kind kind, base::Duration time, const base::EncodedFrame& frame) {
  const size_t k = static_cast<size_t>(kind);
  bool ok = false;
  if (!out_) {
  } else if (out_->webm) {
    if (webm_track_[k]) ok = out_->webm->write(*webm_track_[k], time, frame) == mux::WebmWriteResult::Accepted;
  } else if (out_->mp4) {
    ok = out_->mp4->write(frame, base::Timestamp::micros(time.us())) == mux::Mp4WriteStatus::Accepted;
  }
  if (ok) {
    ++stats_.frames_written;
  } else {
    ++stats_.frames_dropped;
  }
}

void Recorder::request_keyframe(Kind kind, base::Timestamp now) {
  const size_t k = static_cast<size_t>(kind);
  if (inputs_[k]) inputs_[k]->request_keyframe(now);
}

void Recorder::arm_timer() {
  timer_.expires_after(std::chrono::milliseconds(100));
  std::weak_ptr<Recorder> weak = weak_from_this();
  timer_.async_wait(boost::asio::bind_executor(strand_, [weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_timer();
  }));
}

// Every 100 ms on the strand: frames the latency rule releases, the track decision's deadline, a cluster flush
// every half second (a crash loses at most that plus the jitter buffer's latency), and the flow state.
void Recorder::on_timer() {
  const base::Timestamp now = steady_now();
  for (size_t k = 0; k < 2; ++k) {
    if (decided_blind_[k] && connected_[k] && !connected_[k]->info().codecs.empty()) rewire(static_cast<Kind>(k), connected_[k]);
  }
  std::array<bool, 2> stopped_flowing{};
  bool keep = false;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::Recording) {
      for (auto& t : tracks_) {
        if (t && t->jitter) drain(*t, now);
      }
      decide_tracks(now, false);
      if (now - last_flush_ >= base::Duration::millis(500)) {
        if (out_ && out_->webm) out_->webm->flush();
        last_flush_ = now;
      }
    }
    for (size_t k = 0; k < 2; ++k) {
      if (flowing_[k] && now - last_packet_[k] >= config_.flow_timeout) {
        flowing_[k] = false;
        stopped_flowing[k] = true;
      }
    }
    keep = state_ == State::Recording || state_ == State::Paused;
  }
  for (size_t k = 0; k < 2; ++k) {
    if (stopped_flowing[k]) {
      emit("MediaFlowInStateChanged",
           {{"state", "NOT_FLOWING"}, {"padName", "default"}, {"mediaType", kind_name(static_cast<Kind>(k))}});
    }
  }
  if (keep) arm_timer();
}

void Recorder::emit(const std::string& type, Json fields) {
  if (events_) events_(type, std::move(fields));
}

}  // namespace medley::server::media

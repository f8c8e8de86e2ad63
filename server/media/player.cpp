// Player: file → frames paced on the strand → RTP packets → routers.
#include "server/media/player.hpp"

#include <chrono>
#include <random>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include "mux/file_source.hpp"
#include "mux/mp4_reader.hpp"
#include "mux/webm_reader.hpp"
#include "server/log.hpp"
#include "server/media/clock.hpp"

namespace medley::server::media {
namespace {

using Json = nlohmann::json;
using Kind = WebRtcSession::Kind;

constexpr size_t kMaxFrameBytes = 2 * 1024 * 1024;

class WebmFileReader final : public MediaFileReader {
 public:
  WebmFileReader(mux::FileSource source) : source_(std::move(source)) {}
  bool init(std::string& error) {
    auto r = mux::WebmReader::open(source_);
    if (!r) {
      error = "not a readable WebM/Matroska file";
      return false;
    }
    reader_.emplace(std::move(*r));
    for (const auto& t : reader_->tracks()) {
      if (t.codec == base::CodecId::Unknown) continue;
      const size_t k = base::kind_of(t.codec) == base::MediaKind::Audio ? 0 : 1;
      if (codecs_[k] == base::CodecId::Unknown) {
        codecs_[k] = t.codec;
        tracks_[k] = t.number;
      }
    }
    return true;
  }
  bool next(FileFrame& out) override {
    while (reader_->next(frame_) == mux::WebmReadStatus::Frame) {
      int k = -1;
      for (int i = 0; i < 2; ++i) {
        if (codecs_[i] != base::CodecId::Unknown && tracks_[i] == frame_.track) k = i;
      }
      if (k < 0) continue;
      out.kind = static_cast<Kind>(k);
      out.time = frame_.timestamp;
      out.frame.clear();
      out.frame.codec = frame_.codec;
      out.frame.keyframe = frame_.keyframe;
      out.frame.data.assign(frame_.data.begin(), frame_.data.end());
      return true;
    }
    return false;
  }
  std::optional<base::Duration> seek(base::Duration to) override { return reader_->seek(to); }
  std::optional<base::Duration> duration() override { return reader_->duration(); }
  bool seekable() override { return reader_->seekable(); }
  base::CodecId codec(Kind kind) const override { return codecs_[static_cast<size_t>(kind)]; }

 private:
  mux::FileSource source_;
  std::optional<mux::WebmReader> reader_;
  mux::WebmFrame frame_;
  std::array<base::CodecId, 2> codecs_{};
  std::array<uint64_t, 2> tracks_{};
};

class Mp4FileReader final : public MediaFileReader {
 public:
  Mp4FileReader(mux::FileSource source) : source_(std::move(source)) {}
  bool init(std::string& error) {
    auto r = mux::Mp4Reader::open(source_);
    if (!r) {
      error = "not a readable MP4 file";
      return false;
    }
    reader_.emplace(std::move(*r));
    const auto& tracks = reader_->tracks();
    for (size_t i = 0; i < tracks.size(); ++i) {
      if (tracks[i].codec == base::CodecId::Unknown) continue;
      const size_t k = tracks[i].kind == base::MediaKind::Audio ? 0 : 1;
      if (codecs_[k] == base::CodecId::Unknown) {
        codecs_[k] = tracks[i].codec;
        tracks_[k] = i;
      }
    }
    return true;
  }
  bool next(FileFrame& out) override {
    while (reader_->read(frame_) == mux::Mp4ReadStatus::Frame) {
      int k = -1;
      for (int i = 0; i < 2; ++i) {
        if (codecs_[i] != base::CodecId::Unknown && tracks_[i] == frame_.track) k = i;
      }
      if (k < 0) continue;
      out.kind = static_cast<Kind>(k);
      out.time = frame_.dts;  // decode order and time (WebRTC video has no B-frames; edit lists are not applied)
      out.frame = frame_.frame;
      return true;
    }
    return false;
  }
  std::optional<base::Duration> seek(base::Duration to) override { return reader_->seek(to); }
  std::optional<base::Duration> duration() override { return reader_->duration(); }
  bool seekable() override { return reader_->is_seekable(); }
  base::CodecId codec(Kind kind) const override { return codecs_[static_cast<size_t>(kind)]; }

 private:
  mux::FileSource source_;
  std::optional<mux::Mp4Reader> reader_;
  mux::Mp4Frame frame_;
  std::array<base::CodecId, 2> codecs_{};
  std::array<size_t, 2> tracks_{};
};

}  // namespace

base::Result<std::unique_ptr<MediaFileReader>, std::string> MediaFileReader::open(const std::string& path) {
  auto source = mux::FileSource::open(path);
  if (!source) return "cannot open " + path + ": " + std::strerror(source.error());
  uint8_t magic[4] = {};
  const size_t n = source->read_at(0, base::MutableBytes(magic, 4));
  std::string error;
  if (n == 4 && magic[0] == 0x1A && magic[1] == 0x45 && magic[2] == 0xDF && magic[3] == 0xA3) {
    auto r = std::make_unique<WebmFileReader>(std::move(*source));
    if (!r->init(error)) return path + ": " + error;
    if (r->codec(Kind::Audio) == base::CodecId::Unknown && r->codec(Kind::Video) == base::CodecId::Unknown) {
      return path + ": no track medley can play (VP8, VP9, H.264, Opus)";
    }
    return std::unique_ptr<MediaFileReader>(std::move(r));
  }
  auto r = std::make_unique<Mp4FileReader>(std::move(*source));
  if (!r->init(error)) return path + ": " + error;
  if (r->codec(Kind::Audio) == base::CodecId::Unknown && r->codec(Kind::Video) == base::CodecId::Unknown) {
    return path + ": no track medley can play (VP8, VP9, H.264, Opus)";
  }
  return std::unique_ptr<MediaFileReader>(std::move(r));
}

Player::Player(Strand strand, std::unique_ptr<MediaFileReader> reader, SessionEventFn events, uint64_t seed)
    : strand_(std::move(strand)), reader_(std::move(reader)), events_(std::move(events)), timer_(strand_) {
  std::mt19937_64 rng(seed);
  for (size_t k = 0; k < 2; ++k) {
    publishers_[k].emplace(reader_->codec(static_cast<Kind>(k)), k == 0 ? 48000u : 90000u, rng());
    ts_base_[k] = static_cast<uint32_t>(rng());
  }
  duration_ = reader_->duration();
  seekable_ = reader_->seekable();
}

Player::~Player() = default;

void Player::play() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    {
      std::lock_guard lock(self->mu_);
      if (self->state_ == State::Playing) return;
      self->state_ = State::Playing;
      self->start_position_ = self->position_;
    }
    self->started_at_ = steady_now();
    self->tick();
  });
}

void Player::pause() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    std::lock_guard lock(self->mu_);
    if (self->state_ != State::Playing) return;
    self->state_ = State::Paused;
    self->timer_.cancel();
  });
}

void Player::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    {
      std::lock_guard lock(self->mu_);
      self->state_ = State::Stopped;
    }
    self->timer_.cancel();
    self->seek_to(base::Duration::zero());
  });
}

void Player::set_position(base::Duration position) {
  boost::asio::post(strand_, [self = shared_from_this(), position] { self->seek_to(position); });
}

// Strand. The streams go on without a jump back: RTP time continues from the last packet sent, whatever the
// file position (receivers and recorders downstream see one continuous stream).
void Player::seek_to(base::Duration position) {
  const auto landed = reader_->seek(position);
  next_.reset();
  at_end_ = false;
  const base::Timestamp now = steady_now();
  const base::Duration at = landed.value_or(position);
  for (size_t k = 0; k < 2; ++k) {
    if (!sent_any_[k]) continue;
    const uint32_t clock = k == 0 ? 48000 : 90000;
    const int64_t elapsed = std::max<int64_t>(1, (now - last_sent_at_[k]).us() * clock / 1'000'000);
    ts_base_[k] = last_ts_[k] + static_cast<uint32_t>(elapsed) - static_cast<uint32_t>(at.us() * clock / 1'000'000);
  }
  std::lock_guard lock(mu_);
  position_ = at;
  start_position_ = at;
  started_at_ = now;
}

Player::State Player::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

base::Duration Player::position() const {
  std::lock_guard lock(mu_);
  return position_;
}

// Sends every frame whose time has come, then sleeps until the next one (at most 20 ms at a time).
void Player::tick() {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::Playing) return;
  }
  const base::Timestamp now = steady_now();
  const base::Duration playhead = start_position_ + (now - started_at_);
  int sent = 0;
  for (; sent < 200; ++sent) {
    if (!next_) {
      FileFrame f;
      if (!reader_->next(f)) {
        at_end_ = true;
        break;
      }
      next_ = std::move(f);
    }
    if (next_->time > playhead) break;
    send_frame(*next_, now);
    {
      std::lock_guard lock(mu_);
      position_ = next_->time;
    }
    next_.reset();
  }
  if (at_end_ && !next_) {
    {
      std::lock_guard lock(mu_);
      state_ = State::Stopped;
    }
    log::get("player")->info("End of stream");
    emit("EndOfStream", Json::object());
    return;
  }
  base::Duration wait = next_ ? next_->time - playhead : base::Duration::millis(5);
  if (wait > base::Duration::millis(20)) wait = base::Duration::millis(20);
  if (wait < base::Duration::zero()) wait = base::Duration::zero();
  // A file whose timestamps do not advance must not be sent unpaced: at most 200 frames per 20 ms.
  if (sent == 200) wait = base::Duration::millis(20);
  arm(wait);
}

void Player::arm(base::Duration in) {
  timer_.expires_after(std::chrono::microseconds(in.us()));
  std::weak_ptr<Player> weak = weak_from_this();
  timer_.async_wait(boost::asio::bind_executor(strand_, [weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->tick();
  }));
}

void Player::send_frame(const FileFrame& f, base::Timestamp now) {
  const size_t k = static_cast<size_t>(f.kind);
  // No real-time picture is this large (the readers allow up to 32 MiB): skipped rather than burst onto the network.
  if (f.frame.data.size() > kMaxFrameBytes) return;
  const uint32_t clock = k == 0 ? 48000 : 90000;
  const uint32_t ts = ts_base_[k] + static_cast<uint32_t>(f.time.us() * clock / 1'000'000);
  sent_any_[k] = true;
  last_ts_[k] = ts;
  last_sent_at_[k] = now;
  publishers_[k]->publish(f.frame, ts, now);
}

void Player::emit(const std::string& type, Json fields) {
  if (events_) events_(type, std::move(fields));
}

}  // namespace medley::server::media

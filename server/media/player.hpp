// Player: the media side of a PlayerEndpoint. Reads a WebM/Matroska or MP4 file (mux/ readers), paces its frames in
// real time on the pipeline's strand, packetizes them (rtp/payload) and publishes RTP into one Router per kind, so
// any element connected to the player (a WebRtcEndpoint, a recorder) receives it like a live source.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "rtp/payload/payload.hpp"
#include "server/media/frame_publisher.hpp"
#include "server/media/router.hpp"
#include "server/media/webrtc_session.hpp"

namespace medley::server::media {

// One frame of a media file, in file time.
struct FileFrame {
  WebRtcSession::Kind kind = WebRtcSession::Kind::Video;
  base::Duration time;
  base::EncodedFrame frame;
};

// The two readers behind one face.
class MediaFileReader {
 public:
  virtual ~MediaFileReader() = default;
  // Opens WebM/Matroska (EBML magic) or MP4 (anything else); the error says why in words.
  static base::Result<std::unique_ptr<MediaFileReader>, std::string> open(const std::string& path);
  virtual bool next(FileFrame& out) = 0;  // false at the end (or on a read error)
  virtual std::optional<base::Duration> seek(base::Duration to) = 0;  // the keyframe time it landed on
  virtual std::optional<base::Duration> duration() = 0;
  virtual bool seekable() = 0;
  virtual base::CodecId codec(WebRtcSession::Kind kind) const = 0;  // Unknown: no such track
};

class Player : public std::enable_shared_from_this<Player> {
 public:
  using Kind = WebRtcSession::Kind;
  enum class State : uint8_t { Stopped, Playing, Paused };

  Player(Strand strand, std::unique_ptr<MediaFileReader> reader, SessionEventFn events, uint64_t seed);
  ~Player();

  const std::shared_ptr<Router>& output(Kind kind) const { return publishers_[static_cast<size_t>(kind)]->router(); }

  // From any thread (they post to the strand).
  void play();
  void pause();
  void stop();  // back to the start
  void set_position(base::Duration position);

  State state() const;
  base::Duration position() const;
  std::optional<base::Duration> duration() const { return duration_; }
  bool seekable() const { return seekable_; }

 private:
  void tick();
  void seek_to(base::Duration position);
  void arm(base::Duration in);
  void send_frame(const FileFrame& f, base::Timestamp now);
  void emit(const std::string& type, nlohmann::json fields);

  const Strand strand_;
  std::unique_ptr<MediaFileReader> reader_;  // strand only
  const SessionEventFn events_;
  std::array<std::optional<RtpFramePublisher>, 2> publishers_;  // [audio, video]
  std::array<uint32_t, 2> ts_base_{};
  std::array<bool, 2> sent_any_{};
  std::array<uint32_t, 2> last_ts_{};
  std::array<base::Timestamp, 2> last_sent_at_{};
  std::optional<base::Duration> duration_;
  bool seekable_ = false;
  boost::asio::steady_timer timer_;

  // Strand state.
  std::optional<FileFrame> next_;
  base::Timestamp started_at_;      // steady time at which file time start_position_ played
  base::Duration start_position_ = base::Duration::zero();
  bool at_end_ = false;

  mutable std::mutex mu_;  // what the control plane reads
  State state_ = State::Stopped;
  base::Duration position_ = base::Duration::zero();
};

}  // namespace medley::server::media

// Recorder: the media side of a RecorderEndpoint. A sink per media kind on the source's router feeds a jitter
// buffer (frames in decode order, lost frames skipped, keyframe requested); frames go to a WebM/Matroska or
// fragmented-MP4 writer streaming into a file, so a recording cut by a crash plays up to its last cluster or
// fragment. The file's tracks are decided when every expected kind has produced a frame, or after a short wait
// (a missing track never leaves an empty file).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "mux/file_sink.hpp"
#include "mux/mp4_writer.hpp"
#include "mux/webm_writer.hpp"
#include "rtp/jitter_buffer.hpp"
#include "server/media/router.hpp"
#include "server/media/webrtc_session.hpp"

namespace medley::server::media {

enum class Container : uint8_t { Webm, Matroska, Mp4 };

struct RecorderProfile {
  Container container = Container::Webm;
  bool audio = true;
  bool video = true;
};
// Kurento's MediaProfileSpecType names (WEBM, MKV, MP4, *_VIDEO_ONLY, *_AUDIO_ONLY); nullopt for the others.
std::optional<RecorderProfile> recorder_profile(std::string_view name);

struct RecorderConfig {
  std::string path;  // the file (from a file:// URI)
  RecorderProfile profile;
  base::Duration track_wait = base::Duration::millis(1500);  // for the second kind before the tracks are fixed
  base::Duration flow_timeout = base::Duration::millis(2000);
};

class Recorder : public std::enable_shared_from_this<Recorder> {
 public:
  using Kind = WebRtcSession::Kind;
  enum class State : uint8_t { Idle, Recording, Paused, Stopped };

  Recorder(Strand strand, RecorderConfig config, SessionEventFn events);
  ~Recorder();

  // From any thread. set_input posts to the strand (membership changes between packets).
  void set_input(Kind kind, std::shared_ptr<Router> source);
  // Opens the file on the first call; an unwritable path raises an Error event and returns its text.
  std::optional<std::string> record();
  void pause();
  // Drains the jitter buffers, finalizes the file (sizes, duration, cues) and closes it. Synchronous.
  void stop();

  State state() const;
  bool flowing_in(Kind kind) const;

  struct Stats {
    uint64_t packets = 0;
    uint64_t frames_written = 0;
    uint64_t frames_dropped = 0;
  };
  Stats stats() const;

 private:
  class Sink;
  struct Track;
  struct Output;
  struct Pending {
    Kind kind;
    base::Duration time;
    base::EncodedFrame frame;
  };

  void on_packet(Kind kind, const PublishedPacket& packet, base::Timestamp now);  // strand, takes mu_
  void drain(Track& t, base::Timestamp now);
  void on_frame(Track& t, base::EncodedFrame& frame);
  void decide_tracks(base::Timestamp now, bool force);
  void write(Kind kind, base::Duration time, const base::EncodedFrame& frame);
  void request_keyframe(Kind kind, base::Timestamp now);
  void on_timer();
  void arm_timer();
  // Drains the jitter buffers into the writer and hands the output over for finishing (mu_ held).
  std::unique_ptr<Output> end_locked();
  static void finish(std::unique_ptr<Output> out);
  void emit(const std::string& type, nlohmann::json fields);

  const Strand strand_;
  const RecorderConfig config_;
  const SessionEventFn events_;
  std::array<std::shared_ptr<Sink>, 2> sinks_;
  std::array<std::shared_ptr<Router>, 2> inputs_;  // strand only
  boost::asio::steady_timer timer_;

  // The file and its writer, together: the writers keep a reference to the sink, so they move as one, out of the
  // lock when the recording ends (finishing patches and fsyncs the file, which must not hold up the strand).
  struct Output {  // declared above
    explicit Output(mux::FileSink f) : file(std::move(f)) {}
    mux::FileSink file;
    std::optional<mux::WebmWriter> webm;
    std::optional<mux::Mp4Writer> mp4;
  };
  // What the video input was decided against (strand): the source as connected and whether its codecs were known.
  void rewire(Kind kind, std::shared_ptr<Router> source);

  std::array<std::shared_ptr<Router>, 2> connected_;  // strand only: the inputs as connected (before any branch)
  std::array<bool, 2> decided_blind_{};               // strand only: wired while the source's codecs were unknown

  mutable std::mutex mu_;  // everything below: the strand's packets and the control plane's record/pause/stop
  State state_ = State::Idle;
  std::unique_ptr<Output> out_;
  std::array<std::optional<uint32_t>, 2> webm_track_;
  std::array<std::unique_ptr<Track>, 2> tracks_;
  bool tracks_decided_ = false;
  std::deque<Pending> pending_;
  std::optional<base::Timestamp> origin_;         // arrival of the first frame: file time zero
  std::optional<base::Timestamp> first_pending_;  // when the first frame waited for the tracks
  base::Duration paused_total_ = base::Duration::zero();
  std::optional<base::Timestamp> paused_at_;
  base::Timestamp last_flush_;
  std::array<base::Timestamp, 2> last_packet_{};
  std::array<bool, 2> flowing_{};
  Stats stats_;
};

}  // namespace medley::server::media

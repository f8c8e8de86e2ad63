// PassThrough: republish into our own routers.
#include "server/elements/pass_through.hpp"

namespace medley::server::elements {

class PassThrough::Republisher : public media::PacketSink {
 public:
  explicit Republisher(std::shared_ptr<media::Router> out) : out_(std::move(out)) {}
  void on_packet(const media::PublishedPacket& packet, base::Timestamp now) override { out_->publish(packet, now); }

 private:
  std::shared_ptr<media::Router> out_;
};

PassThrough::PassThrough(kurento::ObjectInit init) : MediaNode(std::move(init)) {
  outputs_[0] = std::make_shared<media::Router>(media::RtpSourceInfo{media::MediaKind::Audio, 48000, {}, {}});
  outputs_[1] = std::make_shared<media::Router>(media::RtpSourceInfo{media::MediaKind::Video, 90000, {}, {}});
  for (size_t k = 0; k < 2; ++k) {
    republishers_[k] = std::make_shared<Republisher>(outputs_[k]);
    // A sink downstream lost the picture: ask whoever feeds us (its router throttles).
    std::weak_ptr<Republisher> weak = republishers_[k];
    outputs_[k]->set_keyframe_requester([weak](base::Timestamp now) {
      if (auto r = weak.lock()) {
        if (media::Router* up = r->upstream()) up->request_keyframe(now);
      }
    });
  }
}

std::shared_ptr<media::Router> PassThrough::output(media::WebRtcSession::Kind kind) {
  return outputs_[static_cast<size_t>(kind)];
}

void PassThrough::set_input(media::WebRtcSession::Kind kind, std::shared_ptr<media::Router> source) {
  const size_t k = static_cast<size_t>(kind);
  std::lock_guard lock(mutex_);
  if (inputs_[k]) inputs_[k]->remove_sink(republishers_[k].get());
  inputs_[k] = std::move(source);
  if (inputs_[k]) inputs_[k]->add_sink(republishers_[k]);
}

void PassThrough::on_release() {
  MediaNode::on_release();
  std::lock_guard lock(mutex_);
  for (size_t k = 0; k < 2; ++k) {
    if (inputs_[k]) inputs_[k]->remove_sink(republishers_[k].get());
    inputs_[k].reset();
  }
}

}  // namespace medley::server::elements

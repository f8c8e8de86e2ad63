// PlayerEndpoint: the Kurento operations over media::Player.
#include "server/elements/player_endpoint.hpp"

#include "server/elements/pipeline.hpp"
#include "server/elements/uri.hpp"

namespace medley::server::elements {
namespace {
using kurento::InvokeResult;
using kurento::Json;
using kurento::KurentoError;
namespace code = kurento::code;
using Kind = media::WebRtcSession::Kind;
}  // namespace

PlayerEndpoint::PlayerEndpoint(kurento::ObjectInit init, media::Strand strand, std::string path, uint64_t seed)
    : MediaNode(std::move(init)), strand_(std::move(strand)), path_(std::move(path)), seed_(seed) {
  idle_outputs_[0] = std::make_shared<media::Router>(media::RtpSourceInfo{media::MediaKind::Audio, 48000, {}, {}});
  idle_outputs_[1] = std::make_shared<media::Router>(media::RtpSourceInfo{media::MediaKind::Video, 90000, {}, {}});
}

void PlayerEndpoint::start() {
  auto reader = media::MediaFileReader::open(path_);
  if (!reader) {
    open_error_ = reader.error();
    return;
  }
  std::weak_ptr<kurento::MediaObject> weak = weak_from_this();
  player_ = std::make_shared<media::Player>(
      strand_, std::move(*reader),
      [weak](const std::string& type, Json fields) {
        if (auto self = weak.lock(); self && !self->released()) self->emit(type, std::move(fields));
      },
      seed_);
}

std::shared_ptr<media::Router> PlayerEndpoint::output(Kind kind) {
  return player_ ? player_->output(kind) : idle_outputs_[static_cast<size_t>(kind)];
}

void PlayerEndpoint::on_release() {
  MediaNode::on_release();
  if (player_) player_->stop();
}

std::optional<InvokeResult> PlayerEndpoint::invoke_own(const std::string& operation, const Json& params) {
  if (operation == "play") {
    if (!player_) {
      emit("Error", {{"description", open_error_}, {"errorCode", 40400}, {"type", "URI_ERROR"}});
      return InvokeResult(Json(nullptr));
    }
    player_->play();
    emit("UriEndpointStateChanged", {{"state", "START"}});
    return InvokeResult(Json(nullptr));
  }
  if (operation == "pause" || operation == "stop") {
    if (player_) {
      operation == "pause" ? player_->pause() : player_->stop();
      emit("UriEndpointStateChanged", {{"state", operation == "pause" ? "PAUSE" : "STOP"}});
    }
    return InvokeResult(Json(nullptr));
  }
  if (operation == "getState") {
    if (!player_) return InvokeResult(Json("STOP"));
    switch (player_->state()) {
      case media::Player::State::Playing: return InvokeResult(Json("START"));
      case media::Player::State::Paused: return InvokeResult(Json("PAUSE"));
      default: return InvokeResult(Json("STOP"));
    }
  }
  if (operation == "getUri") return InvokeResult(property("uri"));
  if (operation == "getPosition") return InvokeResult(Json(player_ ? player_->position().ms() : 0));
  if (operation == "setPosition") {
    const Json p = params.is_object() ? params.value("position", Json()) : Json();
    if (!p.is_number_integer() || p.get<int64_t>() < 0) {
      return InvokeResult(KurentoError{code::kMarshallError, "setPosition needs a position in ms (>= 0)"});
    }
    if (!player_ || !player_->seekable()) {
      return InvokeResult(KurentoError{code::kIllegalParam, "The media is not seekable"});
    }
    player_->set_position(base::Duration::millis(p.get<int64_t>()));
    return InvokeResult(Json(nullptr));
  }
  if (operation == "getVideoInfo") {
    const bool seekable = player_ && player_->seekable();
    const int64_t duration = player_ && player_->duration() ? player_->duration()->ms() : 0;
    return InvokeResult(kurento::with_type_marker({{"isSeekable", seekable},
                                                   {"seekableInit", 0},
                                                   {"seekableEnd", seekable ? duration : 0},
                                                   {"duration", duration}},
                                                  "VideoInfo"));
  }
  return MediaNode::invoke_own(operation, params);
}

kurento::CreateResult create_player_endpoint(kurento::ObjectInit init, uint64_t seed) {
  auto pipeline = std::dynamic_pointer_cast<Pipeline>(init.parent);
  if (!pipeline) return KurentoError{code::kMarshallError, "PlayerEndpoint needs a MediaPipeline"};
  const Json uri = init.constructor_params.value("uri", Json());
  if (!uri.is_string()) return KurentoError{code::kMarshallError, "PlayerEndpoint needs a 'uri' string"};
  auto path = file_path_of(uri.get<std::string>());
  if (!path) {
    return KurentoError{code::kIllegalParam,
                        "Unsupported URI '" + uri.get<std::string>() + "': medley plays file:///absolute/path"};
  }
  auto strand = pipeline->strand();
  auto endpoint = std::make_shared<PlayerEndpoint>(std::move(init), std::move(strand), *path, seed);
  endpoint->start();
  return std::shared_ptr<kurento::MediaObject>(endpoint);
}

}  // namespace medley::server::elements

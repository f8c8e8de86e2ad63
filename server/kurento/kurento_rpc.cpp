// Kurento JSON-RPC dispatch: sessions bound to connections, the nine methods, transactions with newref:
// placeholders, release cascades with ObjectDestroyed, and onEvent delivery to subscribers.
#include "server/kurento/kurento_rpc.hpp"

#include <charconv>
#include <cstdio>
#include <random>

namespace medley::server::kurento {
namespace {

constexpr size_t kMaxSessionIdLength = 128;
constexpr int kMaxTransactionDepth = 4;
constexpr std::string_view kNewRef = "newref:";

KurentoError invalid_params(const std::string& what) { return {code::kInvalidParams, "Invalid params: " + what}; }

const Json* member(const Json& params, const char* name) {
  if (!params.is_object()) return nullptr;
  auto it = params.find(name);
  return it == params.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> string_member(const Json& params, const char* name) {
  const Json* v = member(params, name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

// An optional object member: absent/null → {}, an object → itself, anything else → nullopt.
std::optional<Json> object_member(const Json& params, const char* name) {
  const Json* v = member(params, name);
  if (v == nullptr) return Json::object();
  if (!v->is_object()) return std::nullopt;
  return *v;
}

// Replaces every "newref:N" string inside `value` with the value created by operation N of the transaction.
std::optional<KurentoError> inject_refs(Json& value, const Json& responses) {
  if (value.is_object() || value.is_array()) {
    for (auto& child : value) {
      if (auto err = inject_refs(child, responses)) return err;
    }
    return std::nullopt;
  }
  if (!value.is_string()) return std::nullopt;
  const auto& s = value.get_ref<const std::string&>();
  if (s.size() <= kNewRef.size() || !s.starts_with(kNewRef)) return std::nullopt;
  size_t index = 0;
  const char* first = s.data() + kNewRef.size();
  const char* last = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(first, last, index);
  if (ec != std::errc() || ptr != last) {
    return KurentoError{code::kMalformedTransaction, "Invalid index of newref '" + s.substr(kNewRef.size()) + "'"};
  }
  if (index >= responses.size() || !responses[index].contains("result") ||
      !responses[index]["result"].contains("value")) {
    return KurentoError{code::kMalformedTransaction, "Result not found on request " + std::to_string(index)};
  }
  value = responses[index]["result"]["value"];
  return std::nullopt;
}

}  // namespace

struct KurentoRpc::CallContext {
  std::shared_ptr<RpcPeer> peer;
  std::string session_id;  // set once resolved (a transaction's operations inherit it)
};

KurentoRpc::KurentoRpc(KurentoRpcConfig config)
    : config_(std::move(config)), sessions_(config_.max_buffered_events) {
  if (!config_.clock) config_.clock = [] { return std::chrono::steady_clock::now(); };
  if (!config_.wall_clock_ms) {
    config_.wall_clock_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!config_.random) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    config_.random = [engine] { return (*engine)(); };
  }
  if (!config_.factory) config_.factory = std::make_shared<TypeFactory>();
  server_id_ = new_uuid();
  ObjectInit init;
  init.id = std::string(kServerManagerId);
  init.type = ApiTable::kurento().find("ServerManager");
  init.host = this;
  manager_ = std::make_shared<ServerManager>(std::move(init), config_.server_version);
  objects_.add(manager_, "", /*pinned=*/true);
}

KurentoRpc::~KurentoRpc() {
  std::vector<std::shared_ptr<MediaObject>> all;
  {
    std::lock_guard state(state_mutex_);
    for (const auto& id : objects_.ids_of_type("MediaPipeline")) all.push_back(objects_.find(id));
  }
  for (const auto& pipeline : all) {
    for (const auto& o : with_descendants(pipeline)) o->release();
  }
}

std::string KurentoRpc::new_uuid() {
  uint64_t hi = config_.random();
  uint64_t lo = config_.random();
  hi = (hi & ~0xF000ull) | 0x4000ull;                       // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);       // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

void KurentoRpc::send_frames(const std::shared_ptr<RpcPeer>& peer, std::vector<std::string> frames) {
  for (auto& f : frames) peer->send_text(std::move(f));
}

// --- RpcHandler -------------------------------------------------------------------------------------------------

void KurentoRpc::on_open(const std::shared_ptr<RpcPeer>& peer) {
  std::lock_guard dispatch(dispatch_mutex_);
  expire(config_.clock());
  std::lock_guard state(state_mutex_);
  sessions_.open(peer);
}

void KurentoRpc::on_close(const std::shared_ptr<RpcPeer>& peer) {
  std::lock_guard state(state_mutex_);
  sessions_.close(peer->id(), config_.clock());
}

void KurentoRpc::on_text(const std::shared_ptr<RpcPeer>& peer, std::string_view text) {
  std::lock_guard dispatch(dispatch_mutex_);
  expire(config_.clock());
  ParsedFrame frame = parse_frame(text);
  if (auto* bad = std::get_if<RpcFrameError>(&frame)) {
    peer->send_text(make_error(bad->id, bad->error));
    return;
  }
  auto& request = std::get<RpcRequest>(frame);
  CallContext ctx{peer, {}};
  CallResult result = KurentoError{code::kUnexpectedError, "Unexpected error"};
  try {
    result = call(ctx, request.method, request.params, 0);
  } catch (const std::exception& e) {
    result = KurentoError{code::kUnexpectedError, std::string("Unexpected error: ") + e.what()};
  } catch (...) {
    result = KurentoError{code::kUnexpectedError, "Unexpected error"};
  }
  if (!request.has_id) return;  // a notification gets no answer
  peer->send_text(result.ok() ? make_result(request.id, std::move(result).value())
                              : make_error(request.id, result.error()));
}

void KurentoRpc::handle_timeout(SteadyTime now) {
  std::lock_guard dispatch(dispatch_mutex_);
  expire(now);
}

std::optional<SteadyTime> KurentoRpc::next_timeout() const {
  std::lock_guard state(state_mutex_);
  return sessions_.next_expiry(config_.session_grace);
}

void KurentoRpc::expire(SteadyTime now) {
  std::vector<std::shared_ptr<MediaObject>> orphans;
  {
    std::lock_guard state(state_mutex_);
    for (const auto& id : sessions_.take_expired(now, config_.session_grace)) {
      auto released = objects_.unref_session(id);
      orphans.insert(orphans.end(), released.begin(), released.end());
    }
  }
  release_all(orphans);
}

// --- ObjectHost -------------------------------------------------------------------------------------------------

std::shared_ptr<MediaObject> KurentoRpc::find_object(std::string_view id) {
  std::lock_guard state(state_mutex_);
  return objects_.find(id);
}

void KurentoRpc::deliver_event(const std::string& object_id, const std::string& type, Json data) {
  std::lock_guard state(state_mutex_);
  auto sessions = objects_.subscribers(object_id, type);
  if (sessions.empty()) return;
  std::string frame =
      make_notification("onEvent", {{"value", {{"data", std::move(data)}, {"object", object_id}, {"type", type}}}});
  for (const auto& sid : sessions) sessions_.deliver(sid, frame);
}

std::vector<std::string> KurentoRpc::pipeline_ids() {
  std::lock_guard state(state_mutex_);
  return objects_.ids_of_type("MediaPipeline");
}

std::vector<std::string> KurentoRpc::session_ids() {
  std::lock_guard state(state_mutex_);
  return sessions_.ids();
}

std::shared_ptr<MediaObject> KurentoRpc::find(std::string_view id) { return find_object(id); }

size_t KurentoRpc::object_count() const {
  std::lock_guard state(state_mutex_);
  return objects_.size();
}

size_t KurentoRpc::session_count() const {
  std::lock_guard state(state_mutex_);
  return sessions_.ids().size();
}

size_t KurentoRpc::subscription_count() const {
  std::lock_guard state(state_mutex_);
  return objects_.subscription_count();
}

// --- dispatch ---------------------------------------------------------------------------------------------------

KurentoRpc::CallResult KurentoRpc::resolve_session(CallContext& ctx, const Json& params) {
  if (!ctx.session_id.empty()) return Json(ctx.session_id);
  std::string sid;
  if (const Json* given = member(params, "sessionId")) {
    if (!given->is_string() || given->get_ref<const std::string&>().empty() ||
        given->get_ref<const std::string&>().size() > kMaxSessionIdLength) {
      return invalid_params("'sessionId' should be a non-empty string");
    }
    sid = given->get<std::string>();
  } else {
    std::lock_guard state(state_mutex_);
    if (auto bound = sessions_.session_of(ctx.peer->id())) sid = *bound;
  }
  if (sid.empty()) sid = new_uuid();
  // A request naming a session (even one we do not know, as Kurento accepts client-kept ids after a restart) makes
  // this connection the one that session's events go to.
  std::vector<std::string> pending;
  {
    std::lock_guard state(state_mutex_);
    pending = sessions_.bind(sid, ctx.peer, config_.clock());
  }
  send_frames(ctx.peer, std::move(pending));
  ctx.session_id = sid;
  return Json(sid);
}

KurentoRpc::CallResult KurentoRpc::call(CallContext& ctx, const std::string& method, const Json& params, int depth) {
  if (method == "ping") {
    Json result = {{"value", "pong"}};
    std::lock_guard state(state_mutex_);
    if (!ctx.session_id.empty()) {
      result["sessionId"] = ctx.session_id;
    } else if (auto bound = sessions_.session_of(ctx.peer->id())) {
      result["sessionId"] = *bound;
    }
    return result;
  }
  if (method == "connect") return do_connect(ctx, params);

  using Handler = CallResult (KurentoRpc::*)(CallContext&, const Json&);
  Handler handler = nullptr;
  if (method == "create") handler = &KurentoRpc::do_create;
  else if (method == "invoke") handler = &KurentoRpc::do_invoke;
  else if (method == "subscribe") handler = &KurentoRpc::do_subscribe;
  else if (method == "unsubscribe") handler = &KurentoRpc::do_unsubscribe;
  else if (method == "release") handler = &KurentoRpc::do_release;
  else if (method == "describe") handler = &KurentoRpc::do_describe;
  else if (method != "transaction") return KurentoError{code::kMethodNotFound, "Method not found: " + method};

  if (method != "ping" && !params.is_object()) return invalid_params("'params' is required");
  auto session = resolve_session(ctx, params);
  if (!session.ok()) return session;
  CallResult result = handler != nullptr ? (this->*handler)(ctx, params) : do_transaction(ctx, params, depth);
  if (result.ok() && result->is_object()) (*result)["sessionId"] = ctx.session_id;
  return result;
}

base::Result<std::shared_ptr<MediaObject>, KurentoError> KurentoRpc::lookup(CallContext& ctx, const Json& params) {
  auto id = string_member(params, "object");
  if (!id) return invalid_params("'object' should be a string");
  if (id->starts_with(kNewRef)) {
    return KurentoError{code::kNotFoundTransactionNoCommit,
                        "Object '" + *id + "' not found. Possibly using a transactional object without committing "
                        "the transaction."};
  }
  std::lock_guard state(state_mutex_);
  auto object = objects_.find(*id);
  if (!object) return KurentoError{code::kObjectNotFound, "Object '" + *id + "' not found"};
  objects_.ref(*id, ctx.session_id);
  return object;
}

KurentoRpc::CallResult KurentoRpc::do_create(CallContext& ctx, const Json& params) {
  auto type_name = string_member(params, "type");
  if (!type_name) return invalid_params("'type' should be a string");
  const ApiType* type = ApiTable::kurento().find(*type_name);
  if (type == nullptr || type->abstract || type->name == "ServerManager") {
    return KurentoError{code::kTypeNotFound, "Type '" + *type_name + "' not found"};
  }
  auto ctor = object_member(params, "constructorParams");
  if (!ctor) return invalid_params("'constructorParams' should be an object");
  auto properties = object_member(params, "properties");
  if (!properties) return invalid_params("'properties' should be an object");
  if (auto bad = check_params(type->constructor_params, *ctor)) return *bad;

  // Remote-object constructor params (mediaPipeline, hub) must name live objects of that type; the first is the
  // parent, whose id prefixes the new one (so the client's release of a pipeline id covers its elements).
  std::shared_ptr<MediaObject> parent;
  for (const auto& p : type->constructor_params) {
    const ApiType* ref_type = ApiTable::kurento().find(p.type);
    const Json* v = member(*ctor, p.name.c_str());
    if (ref_type == nullptr || v == nullptr) continue;
    Json ref_params = {{"object", *v}};
    auto target = lookup(ctx, ref_params);
    if (!target.ok()) return target.error();
    if (!(*target)->api_type().is_a(ref_type->name)) {
      return KurentoError{code::kMarshallError, "'" + p.name + "' should be a " + ref_type->name};
    }
    if (!parent) parent = *target;
  }
  if (type->name != "MediaPipeline" && !parent) {
    return KurentoError{code::kMarshallError, "'" + type->name + "' needs a parent object"};
  }

  ObjectInit init;
  std::string local = new_uuid() + "_" + type->qualified;
  init.id = parent ? parent->id() + "/" + local : local;
  init.type = type;
  init.parent = parent;
  init.host = this;
  init.constructor_params = std::move(*ctor);
  init.properties = std::move(*properties);
  CreateResult created = config_.factory->create(std::move(init));
  if (!created.ok()) return created.error();
  std::shared_ptr<MediaObject> object = *created;
  {
    std::lock_guard state(state_mutex_);
    objects_.add(object, ctx.session_id);
    if (parent) parent->add_child(object);
  }
  manager_->emit("ObjectCreated", {{"object", object->id()}});
  return Json{{"value", object->id()}};
}

KurentoRpc::CallResult KurentoRpc::do_invoke(CallContext& ctx, const Json& params) {
  auto operation = string_member(params, "operation");
  if (!operation) return invalid_params("'operation' should be a string");
  auto op_params = object_member(params, "operationParams");
  if (!op_params) return invalid_params("'operationParams' should be an object");
  auto object = lookup(ctx, params);
  if (!object.ok()) return object.error();
  if ((*object)->released()) return KurentoError{code::kObjectNotFound, "Object '" + (*object)->id() + "' not found"};
  InvokeResult value = (*object)->invoke(*operation, *op_params);
  if (!value.ok()) return value.error();
  return Json{{"value", std::move(value).value()}};
}

KurentoRpc::CallResult KurentoRpc::do_subscribe(CallContext& ctx, const Json& params) {
  auto event = string_member(params, "type");
  if (!event) return invalid_params("'type' should be a string");
  auto object = lookup(ctx, params);
  if (!object.ok()) return object.error();
  if (!(*object)->api_type().has_event(*event)) {
    return KurentoError{code::kEventNotSupported, "Event '" + *event + "' not supported"};
  }
  if (auto refused = (*object)->on_subscribe(*event)) return *refused;
  std::string subscription = new_uuid();
  {
    std::lock_guard state(state_mutex_);
    objects_.subscribe(subscription, {ctx.session_id, (*object)->id(), *event});
  }
  return Json{{"value", subscription}};
}

// Succeeds whatever the object's state: applications unsubscribe from endpoints they already released.
KurentoRpc::CallResult KurentoRpc::do_unsubscribe(CallContext&, const Json& params) {
  auto subscription = string_member(params, "subscription");
  if (!subscription) return invalid_params("'subscription' should be a string");
  std::optional<Subscription> removed;
  std::shared_ptr<MediaObject> object;
  {
    std::lock_guard state(state_mutex_);
    removed = objects_.unsubscribe(*subscription);
    if (removed) object = objects_.find(removed->object_id);
  }
  if (object) object->on_unsubscribe(removed->event);
  return Json::object();
}

// Releasing an unknown or already released id succeeds, as in Kurento (MediaSet::release swallows it).
KurentoRpc::CallResult KurentoRpc::do_release(CallContext&, const Json& params) {
  auto id = string_member(params, "object");
  if (!id) return invalid_params("'object' should be a string");
  std::shared_ptr<MediaObject> object;
  {
    std::lock_guard state(state_mutex_);
    object = objects_.find(*id);
  }
  if (object && object != manager_) release_all(with_descendants(object));
  return Json::object();
}

KurentoRpc::CallResult KurentoRpc::do_describe(CallContext& ctx, const Json& params) {
  auto object = lookup(ctx, params);
  if (!object.ok()) return object.error();
  const ApiType& type = (*object)->api_type();
  return Json{{"type", type.name}, {"qualifiedType", type.qualified}, {"hierarchy", type.hierarchy()}};
}

KurentoRpc::CallResult KurentoRpc::do_connect(CallContext& ctx, const Json& params) {
  if (const Json* given = member(params, "sessionId")) {
    if (!given->is_string()) return invalid_params("'sessionId' should be a string");
    bool known = false;
    {
      std::lock_guard state(state_mutex_);
      known = sessions_.find(given->get<std::string>()) != nullptr;
    }
    if (!known) return KurentoError{code::kInvalidSession, "Invalid session"};
  }
  auto session = resolve_session(ctx, params);
  if (!session.ok()) return session;
  return Json{{"sessionId", ctx.session_id}, {"serverId", server_id_}};
}

KurentoRpc::CallResult KurentoRpc::do_transaction(CallContext& ctx, const Json& params, int depth) {
  const Json* operations = member(params, "operations");
  if (operations == nullptr || !operations->is_array()) return invalid_params("'operations' should be an array");
  if (depth >= kMaxTransactionDepth) return KurentoError{code::kMalformedTransaction, "Transactions nested too deep"};
  Json responses = Json::array();
  for (size_t i = 0; i < operations->size(); ++i) {
    const Json& op = (*operations)[i];
    if (op.is_object()) {
      if (auto id = op.find("id"); id != op.end() && !(id->is_number_unsigned() && id->get<uint64_t>() == i) &&
                                   !(id->is_number_integer() && id->get<int64_t>() == static_cast<int64_t>(i))) {
        return KurentoError{code::kMalformedTransaction, "Id of request '" + std::to_string(i) + "' should be '" +
                                                             std::to_string(i) + "'"};
      }
    }
    CallResult result = KurentoError{code::kInvalidRequest, "Invalid request in transaction"};
    auto method = op.is_object() ? string_member(op, "method") : std::nullopt;
    auto op_params = op.is_object() ? object_member(op, "params") : std::nullopt;
    if (method && op_params) {
      if (auto bad = inject_refs(*op_params, responses)) return *bad;
      (*op_params)["sessionId"] = ctx.session_id;
      CallContext inner{ctx.peer, ctx.session_id};
      result = call(inner, *method, *op_params, depth + 1);
    } else if (method) {
      result = invalid_params("params must be an object");
    }
    Json response = {{"jsonrpc", "2.0"}, {"id", i}};
    bool failed = !result.ok();
    if (failed) {
      response["error"] = error_object(result.error());
    } else {
      response["result"] = std::move(result).value();
    }
    responses.push_back(std::move(response));
    if (failed) break;  // Kurento stops at the first failed operation; the client reports the rest as not executed
  }
  return Json{{"value", std::move(responses)}};
}

// --- release ----------------------------------------------------------------------------------------------------

std::vector<std::shared_ptr<MediaObject>> KurentoRpc::with_descendants(const std::shared_ptr<MediaObject>& object) {
  std::vector<std::shared_ptr<MediaObject>> out;
  for (const auto& child : object->children()) {
    auto sub = with_descendants(child);
    out.insert(out.end(), sub.begin(), sub.end());
  }
  out.push_back(object);
  return out;
}

void KurentoRpc::release_all(const std::vector<std::shared_ptr<MediaObject>>& objects) {
  for (const auto& o : objects) {
    {
      std::lock_guard state(state_mutex_);
      if (!objects_.find(o->id())) continue;
      objects_.remove(o->id());
      if (o->parent()) o->parent()->remove_child(o->id());
    }
    o->release();
    manager_->emit("ObjectDestroyed", {{"objectId", o->id()}});
  }
}

}  // namespace medley::server::kurento

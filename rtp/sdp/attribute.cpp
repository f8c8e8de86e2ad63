// Dispatch from an attribute name to its typed parser and back to text.
#include "rtp/sdp/attribute.hpp"

#include <concepts>
#include <utility>

#include "rtp/sdp/sdp_text.hpp"

namespace medley::rtp::sdp {

namespace {

template <class T>
concept Named = requires { T::kName; };

template <class T>
concept ValueAttribute = Named<T> && requires(const T& t, std::string& s) {
  t.write(s);
  { T::parse(std::string_view()) } -> std::same_as<Result<T>>;
};

template <class T>
concept FlagAttribute = Named<T> && !ValueAttribute<T>;

// Tries alternative I of Attribute; returns nullopt when the name is not its.
template <size_t I>
std::optional<Result<Attribute>> try_parse(std::string_view name, std::optional<std::string_view> value) {
  using T = std::variant_alternative_t<I, Attribute>;
  if constexpr (FlagAttribute<T>) {
    // A flag written with a value is not the flag we know; keep it verbatim.
    if (name == T::kName && !value) return Result<Attribute>(Attribute(T{}));
  } else if constexpr (ValueAttribute<T>) {
    if (name == T::kName) {
      if (!value) return fail("a=" + std::string(name) + ": missing value");
      auto r = T::parse(*value);
      if (!r) return Result<Attribute>(r.error());
      return Result<Attribute>(Attribute(std::move(r).value()));
    }
  }
  return std::nullopt;
}

template <size_t... I>
std::optional<Result<Attribute>> parse_known(std::string_view name, std::optional<std::string_view> value,
                                             std::index_sequence<I...>) {
  std::optional<Result<Attribute>> out;
  ((out = try_parse<I>(name, value), out.has_value()) || ...);
  return out;
}

}  // namespace

Result<Attribute> parse_attribute(std::string_view line) {
  auto [name, value] = text::split_once(line, ':');
  if (!text::is_token(name)) return fail("a=: empty or malformed attribute name");
  if (!value) {
    if (auto d = direction_from_string(name)) return Attribute(DirectionAttr{*d});
  }
  if (auto r = parse_known(name, value, std::make_index_sequence<std::variant_size_v<Attribute>>{})) return std::move(*r);
  return Attribute(UnknownAttribute{std::string(name), value ? std::optional<std::string>(*value) : std::nullopt});
}

std::string_view attribute_name(const Attribute& attr) {
  return std::visit(
      [](const auto& a) -> std::string_view {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, UnknownAttribute>) return a.name;
        else if constexpr (std::is_same_v<T, DirectionAttr>) return to_string(a.value);
        else return T::kName;
      },
      attr);
}

void write_attribute(std::string& out, const Attribute& attr) {
  out += "a=";
  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, UnknownAttribute>) {
          out += a.name;
          if (a.value) {
            out += ':';
            out += *a.value;
          }
        } else if constexpr (std::is_same_v<T, DirectionAttr>) {
          out += to_string(a.value);
        } else if constexpr (FlagAttribute<T>) {
          out += T::kName;
        } else {
          out += T::kName;
          out += ':';
          a.write(out);
        }
      },
      attr);
  out += "\r\n";
}

const UnknownAttribute* AttributeList::find_unknown(std::string_view name) const {
  return find_if<UnknownAttribute>([&](const UnknownAttribute& u) { return u.name == name; });
}

}  // namespace medley::rtp::sdp

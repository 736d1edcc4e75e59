#include "bparb/sim/recording_lines.hpp"

#include <simdjson.h>

#include <string>

#include "bparb/venue/backpack/parsers.hpp"

namespace bparb::sim {

struct RecordingLineParser::Impl {
  simdjson::dom::parser dom;
  simdjson::dom::element data;
  bool have_data = false;
  std::string body;  // "data" minified: the REST parser wants the body as its own document
  backpack::JsonParser parser;
};

RecordingLineParser::RecordingLineParser() : impl_(std::make_unique<Impl>()) {}
RecordingLineParser::~RecordingLineParser() = default;

bool RecordingLineParser::rest_depth_symbol(std::string_view payload, std::string_view& symbol) {
  Impl& s = *impl_;
  simdjson::dom::element doc;
  s.have_data = !(s.dom.parse(payload.data(), payload.size()).get(doc) || doc["symbol"].get_string().get(symbol) ||
                  doc["data"].get(s.data));
  return s.have_data;
}

bool RecordingLineParser::rest_depth_snapshot(DepthSnapshot& out) {
  Impl& s = *impl_;
  if (!s.have_data) return false;
  s.have_data = false;
  s.body = simdjson::minify(s.data);
  return backpack::parse_depth_snapshot(s.parser, backpack::JsonInput(s.body), out).ok();
}

bool RecordingLineParser::event(std::string_view payload, Event& out) {
  Impl& s = *impl_;
  s.have_data = false;  // the DOM is reused: a pending rest_depth "data" is gone
  simdjson::dom::element doc;
  if (s.dom.parse(payload.data(), payload.size()).get(doc) || doc["type"].get_string().get(out.type)) return false;
  std::string_view sym;
  out.symbol.reset();
  if (doc["symbol"].get_string().get(sym) == simdjson::SUCCESS) out.symbol = sym;
  return true;
}

}  // namespace bparb::sim
